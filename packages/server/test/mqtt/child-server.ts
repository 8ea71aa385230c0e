/**
 * A Marquee server in its own process for the last-will test: settings from MARQUEE_* variables
 * (as `marquee` reads them), a fake system source, `ready <url>` on stdout once listening. The
 * test SIGKILLs it: no clean disconnect, so only the broker's last will can say it is gone.
 */
import { startTestServer } from '../../src/testing';

const server = await startTestServer(
  {
    mqttUrl: process.env.MARQUEE_MQTT_URL,
    mqttTopicPrefix: process.env.MARQUEE_MQTT_TOPIC_PREFIX,
    mqttDiscoveryPrefix: process.env.MARQUEE_MQTT_DISCOVERY_PREFIX,
    mqttNodeId: process.env.MARQUEE_MQTT_NODE_ID,
  },
  // The test owns the directory and removes it after the kill.
  process.env.MARQUEE_DATA_DIR === undefined ? {} : { dataDir: process.env.MARQUEE_DATA_DIR },
);
process.stdout.write(`ready ${server.url}\n`);
