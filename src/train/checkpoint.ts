/**
 * Checkpoints: everything a run needs to continue at an epoch boundary exactly as if it had
 * never stopped. Parameters and running statistics, the optimizer's state (step count, groups,
 * moment buffers), the schedule's state, the trainer's snapshot (epochs and steps done, the
 * shuffle generator's state, from which every later epoch's data order is drawn, and the
 * history), the early-stopping watch, and the caller's metadata (the CLI's config and a
 * fingerprint of the data, so a resume on other settings or data is refused).
 *
 * One JSON document with a format version and a SHA-256 over everything else (modelFile.ts's
 * readVerified), written atomically (temp file, fsync, rename: a crash, even SIGKILL in the
 * middle of a write, leaves the previous checkpoint whole). Typed arrays are stored as their
 * raw little-endian bytes in base64, so the values come back bit for bit; ±Infinity (a plateau
 * schedule's initial best) and NaN are tagged, since JSON has no spelling for them.
 */
import { FileFormatError } from '../errors.js';
import { architectureDifference, readVerified, sha256 } from '../io/modelFile.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import type { Model, ModelConfig } from '../nn/model.js';
import type { LrScheduler, SchedulerStateDict } from '../optim/schedules/scheduler.js';
import type { EarlyStopping, EarlyStoppingState } from './earlyStopping.js';
import type { Trainer, TrainerState } from './trainer.js';

export const CHECKPOINT_FORMAT = 'gradpool-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint needs of an optimizer (Optimizer has both). */
export interface StatefulOptimizer {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** The live objects a checkpoint is taken from and restored into. */
export interface CheckpointParts {
  model: Model;
  optimizer: StatefulOptimizer;
  schedule: LrScheduler | null;
  trainer: Trainer;
  earlyStopping: EarlyStopping | null;
}

export interface CheckpointBody<M = unknown> {
  format: string;
  version: number;
  meta: M;
  model: ModelConfig;
  params: unknown;
  state: unknown;
  optimizer: unknown;
  schedule: unknown;
  trainer: unknown;
  earlyStopping: unknown;
}

const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
type TypedName = keyof typeof TYPED;

/** JSON-safe form: typed arrays as {$typed, base64}, non-finite numbers as {$number}. */
export function encodeValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) {
    const type: TypedName = v instanceof Float32Array ? 'float32' : v instanceof Float64Array ? 'float64' : 'int32';
    return { $typed: type, base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
  return v;
}

/** The inverse of encodeValue; `file` and `path` name a malformed value. */
export function decodeValue(v: unknown, file: string, path = 'checkpoint'): unknown {
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, file, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$number' in o) {
    if (!['Infinity', '-Infinity', 'NaN'].includes(o.$number as string)) throw new FileFormatError(file, `${path}: bad tagged number ${JSON.stringify(o.$number)}`);
    return Number(o.$number);
  }
  if ('$typed' in o) {
    const Type = TYPED[o.$typed as TypedName];
    if (!Type || typeof o.base64 !== 'string') throw new FileFormatError(file, `${path}: bad typed array`);
    const bytes = Buffer.from(o.base64, 'base64');
    if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) throw new FileFormatError(file, `${path}: ${bytes.byteLength} bytes is not a whole number of ${o.$typed} values`);
    const out = new Type(bytes.byteLength / Type.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeValue(x, file, `${path}.${k}`)]));
}

/** Write a checkpoint of `parts` with the caller's `meta`, atomically. */
export function saveCheckpoint<M>(file: string, parts: CheckpointParts, meta: M): void {
  const { model, optimizer, schedule, trainer, earlyStopping } = parts;
  const body: CheckpointBody = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    meta: encodeValue(meta),
    model: model.config(),
    params: encodeValue(model.params),
    state: encodeValue(model.state),
    optimizer: encodeValue(optimizer.stateDict()),
    schedule: encodeValue(schedule ? schedule.stateDict() : null),
    trainer: encodeValue(trainer.snapshot()),
    earlyStopping: encodeValue(earlyStopping ? earlyStopping.stateDict() : null),
  };
  const text = JSON.stringify(body);
  writeFileAtomic(file, JSON.stringify({ ...body, sha256: sha256(text) }) + '\n');
}

/** A checkpoint read and verified (format, version, checksum), its values decoded. */
export interface Checkpoint<M = unknown> {
  file: string;
  meta: M;
  model: ModelConfig;
  params: Float32Array | Float64Array;
  state: Float32Array | Float64Array;
  optimizer: unknown;
  schedule: SchedulerStateDict | null;
  trainer: TrainerState;
  earlyStopping: EarlyStoppingState | null;
}

/** Read `file`; a missing, truncated, altered or foreign file is a FileFormatError naming it and why. */
export function readCheckpoint<M = unknown>(file: string): Checkpoint<M> {
  const body = readVerified<CheckpointBody>(file, CHECKPOINT_FORMAT, CHECKPOINT_VERSION);
  const d = (key: keyof CheckpointBody) => decodeValue(body[key], file, key);
  for (const key of ['meta', 'model', 'params', 'state', 'optimizer', 'trainer'] as const) {
    if (body[key] === undefined || body[key] === null) throw new FileFormatError(file, `the checkpoint has no ${key}`);
  }
  const params = d('params');
  const state = d('state');
  if (!(params instanceof Float32Array || params instanceof Float64Array)) throw new FileFormatError(file, 'params: expected a float32 or float64 array');
  if (!(state instanceof Float32Array || state instanceof Float64Array)) throw new FileFormatError(file, 'state: expected a float32 or float64 array');
  return {
    file,
    meta: d('meta') as M,
    model: body.model,
    params,
    state,
    optimizer: d('optimizer'),
    schedule: d('schedule') as SchedulerStateDict | null,
    trainer: d('trainer') as TrainerState,
    earlyStopping: d('earlyStopping') as EarlyStoppingState | null,
  };
}

/** Put a checkpoint's state into freshly built `parts` of the same architecture; the next fit() continues it. */
export function restoreCheckpoint(ckpt: Checkpoint, parts: CheckpointParts): void {
  const { file } = ckpt;
  const { model, optimizer, schedule, trainer, earlyStopping } = parts;
  const diff = architectureDifference(model.config(), ckpt.model);
  if (diff) throw new FileFormatError(file, `another architecture: ${diff}`);
  if (ckpt.params.length !== model.params.length || ckpt.state.length !== model.state.length) {
    throw new FileFormatError(file, `expected ${model.params.length} parameters and ${model.state.length} statistics, got ${ckpt.params.length} and ${ckpt.state.length}`);
  }
  if ((ckpt.schedule === null) !== (schedule === null)) throw new FileFormatError(file, `the checkpoint ${ckpt.schedule ? 'has' : 'has no'} schedule state, the run ${schedule ? 'has' : 'has no'} schedule`);
  if ((ckpt.earlyStopping === null) !== (earlyStopping === null)) throw new FileFormatError(file, 'the checkpoint and the run differ in using early stopping');
  // Each part checks a state before it loads it. So that a bad part does not leave the ones
  // before it loaded, their states are kept and put back; the trainer goes last, and the model
  // is touched only once every part has loaded.
  const undo: Array<() => void> = [];
  const step = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      for (const back of undo.reverse()) back();
      throw new FileFormatError(file, `${what}: ${(e as Error).message}`);
    }
  };
  const keep = <S>(part: { stateDict(): S; loadStateDict(state: S): void } | null) => {
    if (!part) return;
    const state = part.stateDict();
    undo.push(() => part.loadStateDict(state));
  };
  keep(optimizer as { stateDict(): unknown; loadStateDict(state: unknown): void });
  step('optimizer state', () => optimizer.loadStateDict(ckpt.optimizer as never));
  keep(schedule);
  step('schedule state', () => schedule?.loadStateDict(ckpt.schedule!));
  keep(earlyStopping);
  step('early-stopping state', () => earlyStopping?.loadStateDict(ckpt.earlyStopping!));
  step('trainer state', () => trainer.restore(ckpt.trainer));
  model.params.set(ckpt.params);
  model.state.set(ckpt.state);
}
