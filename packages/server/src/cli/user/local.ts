/**
 * `marquee user` on the data directory while the server is stopped. It reads the configuration
 * exactly as `marquee start` does, opens the store with every surface's migrations (a first-ever
 * command on an empty directory leaves a complete database the server opens later), runs the
 * server's own start-up step (the first admin, the JWT secret) and changes accounts through the
 * server's own code: passwords hashed the same way, tokens and sessions revoked, the last admin
 * kept by the store.
 *
 * Refused while a server uses the directory: it would never hear of the change and would keep
 * the changed user's sockets open.
 */
import { MarqueeError } from '@marquee/sdk';
import { SURFACES } from '../../app';
import { toUser } from '../../core/account-routes';
import { createAuthService } from '../../core/auth';
import { loadConfig } from '../../core/config';
import { runningServers } from '../../core/server-lock';
import { openStore } from '../../core/store';
import { surfaceMigrations } from '../../core/surface';
import { noSuchUser, type UserBackend } from './backend';

export interface LocalOptions {
  /** `--data-dir`, over MARQUEE_DATA_DIR, .env and MARQUEE_CONFIG. */
  readonly dataDir?: string;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  /** Told once when the start-up step created the first admin with a generated password. */
  readonly onGeneratedAdmin: (username: string, password: string) => void;
}

export async function openLocalUsers(options: LocalOptions): Promise<UserBackend> {
  const config = loadConfig({
    env: options.env,
    cwd: options.cwd,
    ...(options.dataDir === undefined ? {} : { overrides: { dataDir: options.dataDir } }),
  });
  const [running] = runningServers(config.dataDir);
  if (running !== undefined) {
    const url = running.url ?? 'http://<host>:<port>';
    throw new MarqueeError(
      'CONFLICT',
      `A Marquee server (pid ${running.pid}) is using the data directory ${config.dataDir}; ` +
        'changing it behind the server would leave the user signed in on open sockets.\n' +
        `Run the command through the server instead: --url ${url} with MARQUEE_TOKEN or ` +
        '--username, or stop the server first.\n' +
        `(If that process is not a Marquee server, delete ${running.file}.)`,
    );
  }

  const store = await openStore(config, { migrations: surfaceMigrations(SURFACES) });
  try {
    const auth = createAuthService({ store, config });
    const boot = await auth.bootstrap();
    if (boot.generatedPassword !== undefined) {
      options.onGeneratedAdmin(config.adminUsername, boot.generatedPassword);
    }
    const { users } = auth;
    return {
      ...(config.adminPassword === undefined ? {} : { configuredAdmin: config.adminUsername }),
      list: async (role) => (await users.list(role === undefined ? {} : { role })).map(toUser),
      async find(username) {
        const user = await store.users.findByUsername(username);
        if (user === undefined) throw noSuchUser(username);
        return toUser(user);
      },
      async create(input) {
        const { user, password } = await users.create(input);
        return { ...toUser(user), ...(password === undefined ? {} : { password }) };
      },
      update: async (id, changes) => toUser(await users.update(id, changes)),
      remove: (id) => users.remove(id),
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
