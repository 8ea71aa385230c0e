/** Adds a hook to a simulator's set of them; returns its removal. */
export function addHook<T>(hooks: Set<T>, hook: T): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}
