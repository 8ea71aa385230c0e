/**
 * The device conformance suite (conformance/spec.ts) against the TV simulator, on real time, its
 * plays sent when the suite asks.
 */
import { TvSimulator } from '../../../../packages/simulators/src/index';
import { describeDeviceConformance, type DeviceUnderTest } from './conformance/spec';

function simulator(): DeviceUnderTest {
  let tv: TvSimulator | undefined;
  const started = () => {
    if (tv === undefined) throw new Error('the simulator was not started');
    return tv;
  };
  return {
    async start({ server, username, password, snNumber }) {
      tv = new TvSimulator({
        server,
        credentials: { username, password },
        snNumber,
        client: { backoff: { initialMs: 100, maxMs: 1000 }, heartbeat: { intervalMs: 1000 } },
      });
      await tv.start();
    },
    plays: () =>
      Promise.resolve(
        started().proofOfPlay.map((p) => ({
          mediaId: p.mediaId,
          playlistId: p.playlistId,
          completed: p.completed,
        })),
      ),
    async sendPlays() {
      await started().sendProofOfPlay();
    },
    skewClock(ms) {
      started().clockSkew(ms);
      return Promise.resolve();
    },
    async stop() {
      await tv?.stop();
    },
  };
}

describeDeviceConformance('TV simulator', simulator);
