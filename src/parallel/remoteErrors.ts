/**
 * Errors across the comlink channel of a remote run. Comlink sends a thrown Error as its name,
 * message and stack only, so the caller could not test `instanceof NonFiniteGradientError` or read
 * its step. The session thread throws a plain object with the fields its class carries instead
 * (comlink clones any other thrown value whole), and the caller builds the error again.
 */
import { NonFiniteGradientError } from '../train/update.js';
import { ShardError, WorkerFailure } from './options.js';

/** An error as cloneable data: its class's name, message and fields. */
export interface ErrorData {
  readonly errorData: true;
  name: string;
  message: string;
  stack?: string;
  step?: number;
  shard?: number;
  parameter?: string;
  value?: number;
  torn?: boolean;
  /** The cause's message (a ShardError's is part of its own). */
  cause?: string;
}

/** What the session thread throws for `e`. */
export function toErrorData(e: unknown): ErrorData {
  const error = e instanceof Error ? e : new Error(String(e));
  const fields = error as Error & Partial<Omit<ErrorData, 'cause'>>;
  const { step, shard, parameter, value, torn } = fields;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return { errorData: true, name: error.name, message: error.message, stack: error.stack, step, shard, parameter, value, torn, cause };
}

/** The error the caller rejects with: the same class where it is one of gradpool's, else an Error with the name and message. */
export function fromErrorData(d: unknown): unknown {
  if (d === null || typeof d !== 'object' || (d as ErrorData).errorData !== true) return d;
  const e = d as ErrorData;
  let error: Error;
  if (e.name === 'NonFiniteGradientError' && e.step !== undefined && e.parameter !== undefined && e.value !== undefined) error = new NonFiniteGradientError(e.step, e.parameter, e.value);
  else if (e.name === 'ShardError' && e.step !== undefined && e.shard !== undefined) error = new ShardError(e.step, e.shard, new Error(e.cause ?? e.message));
  else if (e.name === 'WorkerFailure') error = new WorkerFailure(e.message, e.cause === undefined ? undefined : new Error(e.cause), e.torn === true);
  else error = Object.assign(new Error(e.message, e.cause === undefined ? undefined : { cause: new Error(e.cause) }), { name: e.name });
  if (e.stack) error.stack = e.stack;
  return error;
}
