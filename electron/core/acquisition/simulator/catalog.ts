import type { UnitKey } from './units';

/** One simulated tag: its OPC UA browse name, the data column it plays back, what it measures. */
export interface TagDefinition {
  browseName: string;
  /** Header of the column in the playback CSV. */
  column: string;
  description: string;
  unit: UnitKey;
}

/**
 * The 21 C-MAPSS sensors in the order of the source columns s1..s21, with the names, meanings and
 * units of Saxena, Goebel, Simon, Eklund, "Damage Propagation Modeling for Aircraft Engine
 * Run-to-Failure Simulation", PHM08 (2008), Table 2.
 */
const CMAPSS_SENSORS: readonly TagDefinition[] = [
  { browseName: 'T2', column: 'T2', description: 'Total temperature at fan inlet', unit: 'degreeRankine' },
  { browseName: 'T24', column: 'T24', description: 'Total temperature at LPC outlet', unit: 'degreeRankine' },
  { browseName: 'T30', column: 'T30', description: 'Total temperature at HPC outlet', unit: 'degreeRankine' },
  { browseName: 'T50', column: 'T50', description: 'Total temperature at LPT outlet', unit: 'degreeRankine' },
  { browseName: 'P2', column: 'P2', description: 'Pressure at fan inlet', unit: 'psia' },
  { browseName: 'P15', column: 'P15', description: 'Total pressure in bypass-duct', unit: 'psia' },
  { browseName: 'P30', column: 'P30', description: 'Total pressure at HPC outlet', unit: 'psia' },
  { browseName: 'Nf', column: 'Nf', description: 'Physical fan speed', unit: 'rpm' },
  { browseName: 'Nc', column: 'Nc', description: 'Physical core speed', unit: 'rpm' },
  { browseName: 'epr', column: 'epr', description: 'Engine pressure ratio (P50/P2)', unit: 'dimensionless' },
  { browseName: 'Ps30', column: 'Ps30', description: 'Static pressure at HPC outlet', unit: 'psia' },
  {
    browseName: 'phi',
    column: 'phi',
    description: 'Ratio of fuel flow to Ps30',
    unit: 'poundPerSecondPerPsi',
  },
  { browseName: 'NRf', column: 'NRf', description: 'Corrected fan speed', unit: 'rpm' },
  { browseName: 'NRc', column: 'NRc', description: 'Corrected core speed', unit: 'rpm' },
  { browseName: 'BPR', column: 'BPR', description: 'Bypass ratio', unit: 'dimensionless' },
  { browseName: 'farB', column: 'farB', description: 'Burner fuel-air ratio', unit: 'dimensionless' },
  { browseName: 'htBleed', column: 'htBleed', description: 'Bleed enthalpy', unit: 'dimensionless' },
  { browseName: 'Nf_dmd', column: 'Nf_dmd', description: 'Demanded fan speed', unit: 'rpm' },
  { browseName: 'PCNfR_dmd', column: 'PCNfR_dmd', description: 'Demanded corrected fan speed', unit: 'rpm' },
  { browseName: 'W31', column: 'W31', description: 'HPT coolant bleed', unit: 'poundPerSecond' },
  { browseName: 'W32', column: 'W32', description: 'LPT coolant bleed', unit: 'poundPerSecond' },
];

/** Tags of one simulated engine: the operating settings, the sensors, and the cycle being played. */
export const ENGINE_TAGS: readonly TagDefinition[] = [
  {
    browseName: 'Cycle',
    column: 'cycle',
    description: 'Operating cycle since the start of this run',
    unit: 'none',
  },
  ...[1, 2, 3].map((i): TagDefinition => ({
    browseName: `OpSetting${i}`,
    column: `OpSetting${i}`,
    description: `Operational setting ${i} (C-MAPSS; FD001 runs at a single operating condition)`,
    unit: 'none',
  })),
  ...CMAPSS_SENSORS,
];

/** Columns of cmapss_fd001_units.csv that the simulator needs, besides the unit number. */
export const CMAPSS_COLUMNS: readonly string[] = ENGINE_TAGS.map((t) => t.column);

/** The AI4I 2020 milling-machine signals (Matzka 2020), with the source's column headers. */
export const MILL_TAGS: readonly TagDefinition[] = [
  {
    browseName: 'AirTemperature',
    column: 'Air temperature [K]',
    description: 'Air temperature',
    unit: 'kelvin',
  },
  {
    browseName: 'ProcessTemperature',
    column: 'Process temperature [K]',
    description: 'Process temperature',
    unit: 'kelvin',
  },
  {
    browseName: 'RotationalSpeed',
    column: 'Rotational speed [rpm]',
    description: 'Spindle rotational speed',
    unit: 'rpm',
  },
  { browseName: 'Torque', column: 'Torque [Nm]', description: 'Spindle torque', unit: 'newtonMetre' },
  {
    browseName: 'ToolWear',
    column: 'Tool wear [min]',
    description: 'Tool wear (minutes of use)',
    unit: 'minute',
  },
  {
    browseName: 'MachineFailure',
    column: 'Machine failure',
    description: 'Machine failure flag (1 = the process failed in this step, 0 = no failure)',
    unit: 'none',
  },
];

export const AI4I_COLUMNS: readonly string[] = MILL_TAGS.map((t) => t.column);
