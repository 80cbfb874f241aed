/**
 * SunSpec discovery: find the `SunS` marker and walk the model chain, so a SunSpec inverter or meter
 * (SolarEdge, Fronius, SMA, Kostal…) needs no register map. As the SunSpec Information Model
 * Specification lays it out (sunspec.org; github.com/sunspec/models for the model definitions): the
 * holding registers at a base address (40000 usually, else 0 or 50000) hold 0x5375 0x6E53 ("SunS"),
 * then models follow back to back, each an ID register, a length register L (the registers after
 * those two) and L registers of points, until an ID of 0xFFFF. The reader is passed in (a Link in the
 * app, a table in tests); each read is at most one model header or the common model's text.
 */
import { ModbusExceptionError, ModbusTimeoutError } from '../../core/errors.js';
import { wordsToText } from '../codecs/text.js';

/** One model in the chain: `address` is its ID register; its points follow the length register. */
export interface SunSpecModel {
  id: number;
  address: number;
  length: number;
}

/** What a walk found: enough to build every entity again without touching the device. */
export interface SunSpecMap {
  base: number;
  models: SunSpecModel[];
  /** From the common model (1), when it has one. */
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
}

/** Reads `count` holding registers (function 3) from `address`; throws the link's typed errors. */
export type ReadHolding = (address: number, count: number) => Promise<number[]>;

export const SUNSPEC_BASES = [40000, 0, 50000] as const;
const MARKER = [0x5375, 0x6e53];
const END_ID = 0xffff;
/** No real device has more; a chain longer than this is a misread, not a device. */
const MAX_MODELS = 100;
const COMMON_ID = 1;

/** A device that could not be walked, naming where: connection, unit and the register that failed. */
export class SunSpecDiscoveryError extends Error {
  constructor(readonly connection: string, readonly unitId: number, readonly register: number | undefined, message: string, options?: { cause?: unknown }) {
    super(`SunSpec discovery on ${connection} unit ${unitId}${register === undefined ? '' : ` at register ${register}`}: ${message}`, options);
    this.name = new.target.name;
  }
}

interface Where {
  connection: string;
  unitId: number;
}

/** The first base holding the marker; a device that never answers is told apart from one without SunSpec. */
async function findBase(read: ReadHolding, where: Where): Promise<number> {
  const tried: string[] = [];
  let lastError: unknown;
  for (const base of SUNSPEC_BASES) {
    try {
      const words = await read(base, 2);
      if (words[0] === MARKER[0] && words[1] === MARKER[1]) return base;
      tried.push(`${base}: ${words.map((w) => `0x${w.toString(16).padStart(4, '0')}`).join(' ')}`);
    } catch (err) {
      if (!(err instanceof ModbusExceptionError) && !(err instanceof ModbusTimeoutError)) throw err;
      lastError = err;
      tried.push(`${base}: ${err instanceof ModbusTimeoutError ? 'no answer' : `exception ${err.code}`}`);
    }
  }
  const silent = tried.every((t) => t.endsWith('no answer'));
  throw new SunSpecDiscoveryError(where.connection, where.unitId, undefined,
    silent ? 'the device does not answer (tried 40000, 0 and 50000)' : `no "SunS" marker (${tried.join('; ')})`, { cause: lastError });
}

/** Walks the chain from just after the marker; an exception after at least one model ends it too (some devices omit the end marker). */
async function walkModels(read: ReadHolding, base: number, where: Where): Promise<SunSpecModel[]> {
  const models: SunSpecModel[] = [];
  let address = base + 2;
  while (models.length < MAX_MODELS) {
    let header: number[];
    try {
      header = await read(address, 2);
    } catch (err) {
      if (err instanceof ModbusExceptionError && models.length > 0) return models;
      throw new SunSpecDiscoveryError(where.connection, where.unitId, address, 'cannot read the model header', { cause: err });
    }
    const [id, length] = header;
    if (id === undefined || length === undefined) throw new SunSpecDiscoveryError(where.connection, where.unitId, address, 'short reply to a model header');
    if (id === END_ID) return models;
    if (address + 2 + length > 0x10000) {
      throw new SunSpecDiscoveryError(where.connection, where.unitId, address, `model ${id} of length ${length} runs past the last register`);
    }
    models.push({ id, address, length });
    address += 2 + length;
  }
  throw new SunSpecDiscoveryError(where.connection, where.unitId, address, `more than ${MAX_MODELS} models without an end marker`);
}

/** Manufacturer, model and serial number from the common model (Mn at 2, Md at 18, SN at 50; 16 registers each). */
async function identity(read: ReadHolding, common: SunSpecModel): Promise<Pick<SunSpecMap, 'manufacturer' | 'model' | 'serialNumber'>> {
  if (common.length < 64) return {};
  const words = await read(common.address + 2, 64);
  const text = (from: number) => wordsToText(words.slice(from - 2, from + 14)).trim();
  const found = { manufacturer: text(2), model: text(18), serialNumber: text(50) };
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== ''));
}

/** Detects the marker, walks the chain and reads the common model's identity. Throws SunSpecDiscoveryError. */
export async function walkSunSpec(read: ReadHolding, where: Where): Promise<SunSpecMap> {
  const base = await findBase(read, where);
  const models = await walkModels(read, base, where);
  const common = models.find((m) => m.id === COMMON_ID);
  let ident: Pick<SunSpecMap, 'manufacturer' | 'model' | 'serialNumber'> = {};
  if (common) {
    try {
      ident = await identity(read, common);
    } catch {
      // the device's name is a nicety; the models are what matter
    }
  }
  return { base, models, ...ident };
}
