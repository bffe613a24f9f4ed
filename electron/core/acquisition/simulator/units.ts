/**
 * Engineering units of the simulated tags, as UN/ECE Recommendation 20 common codes, which is how
 * OPC UA identifies units in EUInformation.unitId (OPC 10000-8, 5.6.3 "Mapping of UN/CEFACT to
 * EUInformation"). Codes: A48 degree Rankine, 80 pound per square inch absolute, RPM revolutions
 * per minute, K81 pound (avoirdupois) per second, K83 pound (avoirdupois) per second psi,
 * KEL kelvin, NU newton metre, MIN minute, K40 standard acceleration of free fall (gn), HTZ hertz,
 * SEC second, C62 "one" (dimensionless).
 *
 * The display symbol is the one an operator of that machine reads (psia, rpm, as in the C-MAPSS
 * and AI4I documentation) where the UN/ECE symbol would hide a distinction (lb/in² does not say
 * "absolute"); the code stays the machine-readable identity.
 */
export type UnitKey =
  | 'degreeRankine'
  | 'psia'
  | 'rpm'
  | 'poundPerSecond'
  | 'poundPerSecondPerPsi'
  | 'kelvin'
  | 'newtonMetre'
  | 'minute'
  | 'standardGravity'
  | 'hertz'
  | 'second'
  | 'dimensionless'
  | 'none';

export interface UnitDefinition {
  /** UN/ECE Rec. 20 common code, or null when the quantity has no unit (a count, a flag, an unnamed setting). */
  code: string | null;
  /** What a display shows after the value. */
  symbol: string;
  name: string;
}

export const UNITS: Readonly<Record<UnitKey, UnitDefinition>> = {
  degreeRankine: { code: 'A48', symbol: '°R', name: 'degree Rankine' },
  psia: { code: '80', symbol: 'psia', name: 'pound per square inch absolute' },
  rpm: { code: 'RPM', symbol: 'rpm', name: 'revolutions per minute' },
  poundPerSecond: { code: 'K81', symbol: 'lbm/s', name: 'pound (avoirdupois) per second' },
  poundPerSecondPerPsi: { code: 'K83', symbol: 'pps/psi', name: 'pound (avoirdupois) per second psi' },
  kelvin: { code: 'KEL', symbol: 'K', name: 'kelvin' },
  newtonMetre: { code: 'NU', symbol: 'N·m', name: 'newton metre' },
  minute: { code: 'MIN', symbol: 'min', name: 'minute' },
  // Vibration analysts write accelerations in g; Rec. 20's symbol is gn.
  standardGravity: { code: 'K40', symbol: 'g', name: 'standard acceleration of free fall' },
  hertz: { code: 'HTZ', symbol: 'Hz', name: 'hertz' },
  second: { code: 'SEC', symbol: 's', name: 'second' },
  // Rec. 20 writes "one" as the symbol "1"; a console showing "1.30 1" reads like a bug, so the
  // symbol stays empty and the code says "dimensionless" to software.
  dimensionless: { code: 'C62', symbol: '', name: 'one (dimensionless ratio)' },
  none: { code: null, symbol: '', name: 'no unit' },
};
