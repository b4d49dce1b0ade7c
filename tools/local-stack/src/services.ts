/**
 * The local stack: every service of the system as a process on this machine, on the ports of
 * ARCHITECTURE.md. A new service joins by adding one entry here.
 */
export interface ServiceSpec {
  /** Process name, e.g. `section-1`. */
  name: string;
  /** Nx app whose `dist/main.js` runs. */
  app: string;
  port: number;
  env?: Record<string, string>;
}

/**
 * How every service's Node.js runs, here, under `nx serve` and in the container image (Dockerfile CMD):
 * a young generation of 2 MiB semi-spaces instead of V8's default 16 MiB, which is most of an idle
 * service's memory and buys little for request-sized objects (docs/performance.md, "Memory"). No
 * --enable-source-maps: with bundled apps it parses megabytes of source maps at start-up; add it
 * through NODE_OPTIONS when debugging.
 */
export const NODE_FLAGS = ['--max-semi-space-size=2'];

/**
 * The process environment every service gets, here, under `nx serve` (nx.json) and in the image
 * (Dockerfile ENV; test/app-image.spec.ts checks all three): at most two
 * glibc malloc arenas, so the native memory of libvips (sharp) and onnxruntime threads is not spread
 * over one arena per thread and kept there (sharp's documented advice for long-running servers).
 */
export const PROCESS_ENV = { MALLOC_ARENA_MAX: '2' };

export const DEFAULT_SERVICES: ServiceSpec[] = [
  { name: 'section-1', app: 'section', port: 8085, env: { SECTION_ID: '1' } },
  { name: 'section-2', app: 'section', port: 8086, env: { SECTION_ID: '2' } },
  { name: 'image-analysis', app: 'image-analysis', port: 8082 },
  { name: 'face-recognition', app: 'face-recognition', port: 8083 },
  { name: 'collector', app: 'collector', port: 8081 },
  {
    name: 'camera-agent-1',
    app: 'camera-agent',
    port: 8091,
    env: { CAMERA_ID: '1', CAMERA_SECTION: '1', CAMERA_EVENT: 'exit' },
  },
  {
    name: 'camera-agent-2',
    app: 'camera-agent',
    port: 8092,
    env: { CAMERA_ID: '2', CAMERA_SECTION: '1', CAMERA_EVENT: 'entry' },
  },
  {
    name: 'camera-agent-3',
    app: 'camera-agent',
    port: 8093,
    env: { CAMERA_ID: '3', CAMERA_SECTION: '2', CAMERA_EVENT: 'entry' },
  },
  { name: 'alerts', app: 'alerts', port: 8084 },
  // The control panel, twice: v1 on the seeds' port, v2 (the photo and charts) beside it.
  { name: 'cpanel', app: 'cpanel', port: 8080, env: { VERSION: 'v1' } },
  { name: 'cpanel-v2', app: 'cpanel', port: 8090, env: { VERSION: 'v2' } },
];

/**
 * The environment that wires the services to each other, derived from the ports, so a stack on other
 * ports (tests run one beside a developer's) is wired the same way.
 */
export function wiring(services: ServiceSpec[], host = '127.0.0.1'): Record<string, string> {
  const url = (s: ServiceSpec) => `http://${host}:${s.port}`;
  const byApp = (app: string) => services.filter((s) => s.app === app);
  const env: Record<string, string> = {};
  const sections = byApp('section');
  if (sections.length) env.SECTION_URLS = sections.map((s) => `${s.env?.SECTION_ID ?? '1'}=${url(s)}`).join(',');
  const collector = byApp('collector')[0];
  if (collector) env.COLLECTOR_URL = url(collector);
  const cameras = byApp('camera-agent');
  if (cameras.length) env.CAMERA_URLS = cameras.map((s) => `${s.env?.CAMERA_ID ?? '1'}=${url(s)}`).join(',');
  for (const [app, variable] of [
    ['image-analysis', 'IMAGE_ANALYSIS_URL'],
    ['face-recognition', 'FACE_RECOGNITION_URL'],
    ['alerts', 'ALERTS_URL'],
  ] as const) {
    const s = byApp(app)[0];
    if (s) env[variable] = url(s);
  }
  // CPANEL_URL: the first cpanel (v1). Locally no Service balances v1 and v2, so CPANEL_URLS names every
  // cpanel process for a collector that pushes the latest analysis and alert to each of them.
  const cpanels = byApp('cpanel');
  if (cpanels.length) {
    env.CPANEL_URL = url(cpanels[0]);
    env.CPANEL_URLS = cpanels.map(url).join(',');
  }
  return env;
}

/**
 * The same stack with every port moved by `offset` (so tests never collide with a running stack).
 * Tests and benches keep their ports below 32768: above it the kernel hands out ephemeral source
 * ports to outgoing connections, and a service that tries to listen on one in use fails with
 * EADDRINUSE (seen once in CI).
 */
export function withPortOffset(services: ServiceSpec[], offset: number): ServiceSpec[] {
  return services.map((s) => ({ ...s, port: s.port + offset }));
}
