import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CMAPSS_FILE } from './playbackData';
import { locateSimulatorResources, RESOURCES_ENV } from './resourcesDir';

const root = mkdtempSync(join(tmpdir(), 'vigil-sim-resources-'));
const simulatorDir = join(root, 'app', 'resources', 'simulator');
mkdirSync(simulatorDir, { recursive: true });
writeFileSync(join(simulatorDir, CMAPSS_FILE), 'unit,cycle\n');
const deep = join(root, 'app', 'out', 'main');
mkdirSync(deep, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('locateSimulatorResources', () => {
  it('finds the project copy from this module (sources, vitest)', () => {
    expect(locateSimulatorResources(undefined, {})).toBe(
      resolve(__dirname, '../../../../resources/simulator'),
    );
  });

  it('walks up from a bundle folder such as out/main to resources/simulator', () => {
    expect(locateSimulatorResources(undefined, {}, [deep])).toBe(simulatorDir);
  });

  it('takes an explicit folder: the simulator folder itself or a resources folder holding it', () => {
    expect(locateSimulatorResources(simulatorDir, {}, [])).toBe(simulatorDir);
    expect(locateSimulatorResources(join(root, 'app', 'resources'), {}, [])).toBe(simulatorDir);
  });

  it('honours the environment variable', () => {
    expect(locateSimulatorResources(undefined, { [RESOURCES_ENV]: join(root, 'app', 'resources') }, [])).toBe(
      simulatorDir,
    );
  });

  it('refuses an explicit folder or variable without data instead of using another copy', () => {
    expect(() => locateSimulatorResources(root, {}, [deep])).toThrow(
      `resourcesDir "${root}" holds no ${CMAPSS_FILE}`,
    );
    expect(() => locateSimulatorResources(undefined, { [RESOURCES_ENV]: root }, [deep])).toThrow(
      `$${RESOURCES_ENV} "${root}" holds no`,
    );
  });

  it('says where it looked when nothing is found', () => {
    expect(() => locateSimulatorResources(undefined, {}, [tmpdir()])).toThrow(
      /Simulator data not found.*VIGIL_RESOURCES_DIR/,
    );
  });
});
