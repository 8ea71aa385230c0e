/**
 * The slice of a pino logger the socket layer writes to. Declared structurally so the gateway
 * can be driven by the server's pino instance, a child logger, or a silent stub in tests.
 */
export interface WsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
