/**
 * The seed's 11 control actions and Marquee's `take_screenshot`, routed from the socket (which discriminates incoming messages
 * by their `action` field) to the client's typed events of the same names. Each one is handed to
 * `handle` with the function that emits its event, so the handler decides when listeners run and
 * what their exceptions mean (a refused command).
 */
import type { ServerAction } from '../../protocol/signage/actions';
import type { Emitter } from '../../transport/emitter';
import type { DeviceSocket } from './channel';
import type { DeviceActionEvents } from './options';

export type ActionHandler = (action: ServerAction, emit: () => void) => void;

export function routeActions(
  socket: DeviceSocket,
  events: Pick<Emitter<DeviceActionEvents>, 'emit'>,
  handle: ActionHandler,
): void {
  socket.onMessage('play', (a) => handle(a, () => events.emit('play', a)));
  socket.onMessage('pause', (a) => handle(a, () => events.emit('pause', a)));
  socket.onMessage('next', (a) => handle(a, () => events.emit('next', a)));
  socket.onMessage('previous', (a) => handle(a, () => events.emit('previous', a)));
  socket.onMessage('reload_playlist', (a) => handle(a, () => events.emit('reload_playlist', a)));
  socket.onMessage('switch_playlist', (a) => handle(a, () => events.emit('switch_playlist', a)));
  socket.onMessage('play_media', (a) => handle(a, () => events.emit('play_media', a)));
  socket.onMessage('show_text_overlay', (a) =>
    handle(a, () => events.emit('show_text_overlay', a)),
  );
  socket.onMessage('hide_text_overlay', (a) =>
    handle(a, () => events.emit('hide_text_overlay', a)),
  );
  socket.onMessage('set_brightness', (a) => handle(a, () => events.emit('set_brightness', a)));
  socket.onMessage('set_volume', (a) => handle(a, () => events.emit('set_volume', a)));
  socket.onMessage('take_screenshot', (a) => handle(a, () => events.emit('take_screenshot', a)));
}
