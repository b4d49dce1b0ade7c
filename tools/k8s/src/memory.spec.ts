import { processCpuSeconds, processMemory, quantityMiB, quantityMillicores } from './memory.js';

describe('resource quantities and process measurements', () => {
  it('reads Kubernetes memory and CPU quantities', () => {
    expect(quantityMiB('256Mi')).toBe(256);
    expect(quantityMiB('1Gi')).toBe(1024);
    expect(quantityMiB(2 ** 21)).toBe(2);
    expect(quantityMillicores('50m')).toBe(50);
    expect(quantityMillicores('0.5')).toBe(500);
    expect(quantityMillicores(2)).toBe(2000);
    expect(quantityMillicores(undefined)).toBeUndefined();
    expect(() => quantityMillicores('half')).toThrow(/not a CPU quantity: half/);
  });

  it("reads this process's CPU seconds and resident memory from /proc", () => {
    const before = processCpuSeconds(process.pid);
    const until = Date.now() + 300;
    let spin = 0;
    while (Date.now() < until) spin++;
    const after = processCpuSeconds(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(after - before).toBeGreaterThanOrEqual(0.1);
    const memory = processMemory(process.pid);
    expect(memory.rssMiB).toBeGreaterThan(10);
    expect(memory.peakRssMiB).toBeGreaterThanOrEqual(memory.rssMiB);
  });
});
