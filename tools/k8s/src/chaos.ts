// The chaos API (libs/platform's /chaos, the same on every service) through each service's generated
// client, with the admin token as its bearer credential: what the demo and the lab use to make a
// replica sick and to heal it. A failed call throws with the status and the service's problem body.
import * as alerts from '@airport-mesh/alerts-client';
import * as cameraAgent from '@airport-mesh/camera-agent-client';
import * as collector from '@airport-mesh/collector-client';
import * as cpanel from '@airport-mesh/cpanel-client';
import * as faceRecognition from '@airport-mesh/face-recognition-client';
import * as imageAnalysis from '@airport-mesh/image-analysis-client';
import * as section from '@airport-mesh/section-client';

export type ChaosSettings = section.ChaosSettingsDto;
export type ChaosState = section.ChaosStateDto;

const CLIENTS = {
  alerts,
  'camera-agent': cameraAgent,
  collector,
  cpanel,
  'face-recognition': faceRecognition,
  'image-analysis': imageAnalysis,
  section,
} as const;

export interface ChaosApi {
  set(settings: ChaosSettings): Promise<ChaosState>;
  get(): Promise<ChaosState>;
  reset(): Promise<ChaosState>;
}

/** The chaos API of one replica of `service` at `base` (e.g. a port-forward), authorized with `token`. */
export function chaosApi(service: string, base: string, token: string): ChaosApi {
  const lib = CLIENTS[service as keyof typeof CLIENTS] as typeof section | undefined;
  if (!lib) throw new Error(`no generated client for service ${service}`);
  const client = lib.createClient({ baseURL: base, auth: token });
  const call = async (what: string, p: Promise<{ data: unknown }>): Promise<ChaosState> => {
    try {
      return (await p).data as ChaosState;
    } catch (e) {
      const r = (e as { response?: { status?: number; data?: unknown } }).response;
      throw new Error(
        `${what} /chaos on ${base}: ${r ? `HTTP ${r.status} ${JSON.stringify(r.data)}` : (e as Error).message}`,
      );
    }
  };
  return {
    set: (settings) => call('PUT', lib.setChaos({ client, body: settings, throwOnError: true })),
    get: () => call('GET', lib.getChaos({ client, throwOnError: true })),
    reset: () => call('DELETE', lib.resetChaos({ client, throwOnError: true })),
  };
}
