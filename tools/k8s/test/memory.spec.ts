/**
 * The manifests held against the processes they describe: every service runs the whole pipeline's
 * load (every camera streaming frames with faces), and its peak resident memory must stay within
 * two thirds of the memory limit its Deployment gets in each rendered overlay. A change that grows a
 * service's memory fails here, not in a user's cluster (an OOM-killed pod in a restart loop).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVICES, LocalStack, REPO_ROOT, withPortOffset } from '@airport-mesh/local-stack';
import { camerasDone, deploymentOf, overlayDir, renderedResources, stackMemory, streamCameras } from '../src/memory.js';

const services = withPortOffset(DEFAULT_SERVICES, 14_000);
const cameras = services.filter((s) => s.app === 'camera-agent');
const HEADROOM = 2 / 3;

describe('memory: measured peaks within the rendered limits', () => {
  let dir: string;
  let stack: LocalStack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memory-'));
    stack = new LocalStack({ services, dataDir: dir, env: { LOG_LEVEL: 'warn', WATCHLIST_SEED: 'default' } });
    await stack.start();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no service peaks above 2/3 of its limit under the pipeline load, in either overlay', async () => {
    await streamCameras(stack, cameras, 3, 45);
    await camerasDone(stack, cameras, 180_000);
    const measured = stackMemory(stack, services);
    for (const overlay of ['plain', 'istio'] as const) {
      const resources = await renderedResources(overlayDir(REPO_ROOT, overlay));
      const over: string[] = [];
      for (const s of services) {
        const r = resources.get(deploymentOf(s));
        expect(r?.limitMiB).toBeGreaterThan(0);
        const peak = measured[s.name].peakRssMiB;
        if (peak > HEADROOM * r!.limitMiB!)
          over.push(`${s.name}: peak ${peak.toFixed(0)} MiB > 2/3 of ${deploymentOf(s)}'s limit ${r!.limitMiB} MiB`);
      }
      expect({ overlay, over }).toEqual({ overlay, over: [] });
    }
  }, 300_000);
});
