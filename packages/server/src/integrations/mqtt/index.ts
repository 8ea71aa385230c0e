/** The MQTT bridge for Home Assistant; see bridge.ts. */
export { defaultNodeId, startMqttBridge, type MqttBridge, type MqttBridgeOptions } from './bridge';
export { MQTT_ENV_NAMES, mqttSettings } from './settings';
export { mqttMetrics } from './metrics';
