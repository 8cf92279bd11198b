/**
 * The configurations of `compare`: one varying dimension (optimizers, learning rates, depths
 * or activations) over a base configuration built from the other flags, or a preset that
 * reproduces one of the tutorial's suggested experiments. Every configuration shares the
 * seed, so those with the same architecture start from the same weights, and all of them see
 * the same data order.
 */
import { ACTIVATIONS, type ActivationName } from '../nn/activation.js';
import { RULES } from '../optim/registry.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/rule.js';
import { buildConfig, checkHiddenFlags, checkOptimizerOptions, defaultOptimizerOptions, flagOf, hiddenFlagsGiven, modelText, type OptimizerOptionValue, type RunConfig } from './config.js';
import { decimal, FlagError, type FlagValues } from './flags.js';
import { OPTIMIZER_OPTION } from './trainFlags.js';

/** `--optimizers` names: the optimizers, plus SGD's two momentum variants. */
export const COMPARE_OPTIMIZERS = Object.freeze([...OPTIMIZER_NAMES, 'momentum', 'nesterov']);

export const PRESETS: Readonly<Record<string, { flags: FlagValues; help: string }>> = Object.freeze({
  'learning-rates': { flags: { dataset: 'xor', optimizer: 'sgd', lrs: [0.001, 0.01, 0.1, 1.0] }, help: 'SGD at 0.001, 0.01, 0.1 and 1.0 on xor (the tutorial\'s network; on another --dataset too)' },
  depth: { flags: { dataset: 'spiral', depths: [1, 2, 3] }, help: '1, 2 and 3 hidden layers of 64 on spiral' },
  activations: { flags: { dataset: 'spiral', activations: ['sigmoid', 'relu', 'tanh'] }, help: 'sigmoid, relu and tanh hidden layers on spiral' },
  optimizers: { flags: { dataset: 'mnist', optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] }, help: 'sgd, momentum, nesterov, adagrad, rmsprop, adam and adamw on mnist' },
});

export const VARYING = Object.freeze(['optimizers', 'lrs', 'depths', 'activations'] as const);

export interface CompareConfig {
  label: string;
  config: RunConfig;
}

/** Setting keys of `--optimizers name:key=value:…`: the train flag names, plus beta1 and beta2. */
function parseSetting(item: string, setting: string): [string, OptimizerOptionValue] {
  const eq = setting.indexOf('=');
  const key = eq < 0 ? setting : setting.slice(0, eq);
  const raw = eq < 0 ? 'true' : setting.slice(eq + 1);
  const bad = (what: string) => new FlagError(`--optimizers ${item}: ${what}`);
  if (key === 'beta1' || key === 'beta2') {
    const v = decimal(raw);
    if (!Number.isFinite(v)) throw bad(`${key} must be a number, got ${JSON.stringify(raw)}`);
    return [key, v];
  }
  const option = Object.hasOwn(OPTIMIZER_OPTION, key) ? OPTIMIZER_OPTION[key] : undefined;
  if (!option) throw bad(`unknown setting ${JSON.stringify(key)}; settings are ${[...Object.keys(OPTIMIZER_OPTION), 'beta1', 'beta2'].join(', ')}`);
  if (['nesterov', 'amsgrad', 'centered'].includes(key)) {
    if (raw !== 'true' && raw !== 'false') throw bad(`${key} must be true or false, got ${JSON.stringify(raw)}`);
    return [option, raw === 'true'];
  }
  if (eq < 0) throw bad(`${key} needs a value (${key}=…)`);
  const v = decimal(raw);
  if (!Number.isFinite(v)) throw bad(`${key} must be a number, got ${JSON.stringify(raw)}`);
  return [option, v];
}

/**
 * `adam:lr=0.001` → the rule and its options: first what `train --optimizer RULE` uses on the
 * dataset (its own settings if RULE is the dataset's optimizer, else the suggested lr), then
 * the SGD variant's momentum (`sgd` none, `momentum` 0.9, `nesterov` 0.9 with Nesterov), then
 * the shared optimizer flags the rule takes, then the item's own settings.
 */
function optimizerVariant(item: string, base: RunConfig, given: Record<string, OptimizerOptionValue>): { rule: OptimizerName; options: Record<string, OptimizerOptionValue> } {
  const [name, ...settings] = item.split(':');
  if (!COMPARE_OPTIMIZERS.includes(name)) throw new FlagError(`--optimizers: unknown optimizer ${JSON.stringify(name)}; known: ${COMPARE_OPTIMIZERS.join(', ')}`);
  const rule: OptimizerName = name === 'momentum' || name === 'nesterov' ? 'sgd' : (name as OptimizerName);
  const start = defaultOptimizerOptions(base.dataset, rule);
  // `sgd` is plain SGD, even on a dataset whose SGD has momentum (mnist's): `momentum` is the entry with it.
  if (rule === 'sgd') delete start.momentum;
  const variant: Record<string, OptimizerOptionValue> = name === 'momentum' ? { momentum: 0.9 } : name === 'nesterov' ? { momentum: 0.9, nesterov: true } : {};
  const known = Object.keys(RULES[rule].defaults);
  const shared = Object.fromEntries(Object.entries(given).filter(([k]) => known.includes(k)));
  const options: Record<string, OptimizerOptionValue> = { ...start, ...variant, ...shared };
  // Where each setting came from, for errors: a shared flag (--dampening 0.5) or this item's setting.
  const origin: Record<string, 'flag' | 'setting' | 'variant'> = {};
  for (const k of Object.keys(options)) origin[k] = k in shared ? 'flag' : 'variant';
  const seen = new Set<string>();
  for (const s of settings) {
    const [key, v] = parseSetting(item, s);
    if (seen.has(key)) throw new FlagError(`--optimizers ${item}: ${key} is given twice`);
    seen.add(key);
    if (key === 'beta1' || key === 'beta2') {
      const betas = [...((options.betas as number[] | undefined) ?? (RULES[rule].defaults as { betas?: number[] }).betas ?? [0.9, 0.999])];
      betas[key === 'beta1' ? 0 : 1] = v as number;
      options.betas = betas;
      origin.betas = 'setting';
    } else {
      options[key] = v;
      origin[key] = 'setting';
    }
  }
  const text = (v: OptimizerOptionValue) => (Array.isArray(v) ? v.join(',') : String(v));
  checkOptimizerOptions(rule, options, {
    source: (key) => `--optimizers ${item}: ${flagOf(key)}`,
    cite: (key, v) => (origin[key] === 'flag' ? `--${flagOf(key)} ${text(v)}` : origin[key] === 'setting' ? `${flagOf(key)}=${text(v)}` : `${flagOf(key)} ${text(v)}`),
    nesterov: `--optimizers ${item}: Nesterov momentum`,
  });
  return { rule, options };
}

/** Apply a preset under the user's flags; the user's flags win, but may not vary another dimension. */
export function withPreset(flags: FlagValues): FlagValues {
  const name = flags.preset as string | undefined;
  if (name === undefined) return flags;
  const preset = PRESETS[name];
  const own = VARYING.find((k) => k in preset.flags)!;
  const other = VARYING.find((k) => k !== own && k in flags);
  if (other) throw new FlagError(`--preset ${name} varies --${own}; it cannot be combined with --${other}`);
  return { ...preset.flags, ...flags };
}

/** Expand the flags of `compare` into labelled configurations. */
export function compareConfigs(flagsIn: FlagValues): CompareConfig[] {
  const flags = withPreset(flagsIn);
  const varying = VARYING.filter((k) => k in flags);
  if (varying.length === 0) throw new FlagError(`compare needs one of --optimizers, --lrs, --depths, --activations or --preset (${Object.keys(PRESETS).join(', ')})`);
  if (varying.length > 1) throw new FlagError(`compare varies one thing at a time; got --${varying.join(' and --')}`);
  const kind = varying[0];
  const baseFlags: FlagValues = { ...flags };
  for (const k of ['optimizers', 'lrs', 'depths', 'activations', 'preset', 'target', 'report', 'csv', 'json', 'quiet', 'help', 'concurrent']) delete baseFlags[k];
  const given: Record<string, OptimizerOptionValue> = {};
  if (kind === 'optimizers') {
    // Optimizer flags are shared settings; each applies to the optimizers that take it.
    for (const [flag, option] of Object.entries(OPTIMIZER_OPTION)) {
      if (baseFlags[flag] !== undefined) given[option] = baseFlags[flag] as OptimizerOptionValue;
      delete baseFlags[flag];
    }
    if (baseFlags.optimizer !== undefined) throw new FlagError('--optimizer and --optimizers cannot be combined');
  }
  if (kind === 'activations' && baseFlags.activation !== undefined) throw new FlagError('--activation and --activations cannot be combined');
  if (kind === 'lrs' && baseFlags.lr !== undefined) throw new FlagError('--lr and --lrs cannot be combined: --lrs gives each configuration its learning rate');
  // The hidden-layer flags are checked against every compared model, not the base's alone.
  const base = buildConfig(baseFlags, { checkHiddenFlags: false });
  const configs = variants(kind, flags, base, given);
  refuseRepeats(kind, (flags[kind] as (string | number)[]).map(String), configs);
  checkHiddenFlags(hiddenFlagsGiven(baseFlags), configs.map((c) => c.config.model), base.dataset);
  return configs;
}

/** The optimizer of `config` with every setting, PyTorch's defaults filled in (adamw's weightDecay 0.01 too). */
export function fullOptimizerSettings(config: RunConfig): { name: OptimizerName; options: Record<string, OptimizerOptionValue> } {
  return { name: config.optimizer, options: structuredClone({ ...RULES[config.optimizer].defaults, ...config.optimizerOptions }) };
}

/**
 * Two equal configurations would give two identical rows, curves and legend entries (and one
 * CSV key twice): refuse them, naming the flag and the repeated item. `items`: the varied
 * flag's items, one per configuration. Optimizer items compare by every setting, so
 * `sgd:lr=0.1` and `momentum:lr=0.1:momentum=0` are the same.
 */
function refuseRepeats(kind: (typeof VARYING)[number], items: readonly string[], configs: readonly CompareConfig[]): void {
  const sorted = (o: object) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const first = new Map<string, number>();
  configs.forEach(({ config }, i) => {
    const optimizer = fullOptimizerSettings(config);
    const key = JSON.stringify(sorted({ ...config, optimizerOptions: sorted(optimizer.options) }));
    const j = first.get(key);
    if (j === undefined) {
      first.set(key, i);
      return;
    }
    if (items[i] === items[j]) throw new FlagError(`--${kind} lists ${items[i]} twice (items ${j + 1} and ${i + 1}); give each once`);
    throw new FlagError(`--${kind}: ${items[j]} and ${items[i]} (items ${j + 1} and ${i + 1}) are the same configuration, ${optimizer.name} ${JSON.stringify(optimizer.options)}; give each once`);
  });
}

function variants(kind: (typeof VARYING)[number], flags: FlagValues, base: RunConfig, given: Record<string, OptimizerOptionValue>): CompareConfig[] {
  const variant = (label: string, change: Partial<RunConfig>): CompareConfig => ({ label, config: { ...structuredClone(base), ...change } });
  switch (kind) {
    case 'optimizers':
      return (flags.optimizers as string[]).map((item) => {
        const { rule, options } = optimizerVariant(item, base, given);
        return variant(item, { optimizer: rule, optimizerOptions: options });
      });
    case 'lrs':
      return (flags.lrs as number[]).map((lr) => {
        if (!(lr > 0)) throw new FlagError(`--lrs must be learning rates > 0, got ${lr}`);
        return variant(`lr=${lr}`, { optimizerOptions: { ...base.optimizerOptions, lr } });
      });
    case 'depths': {
      const depths = flags.depths as number[];
      for (const d of depths) if (!Number.isInteger(d) || d < 0 || d > 64) throw new FlagError(`--depths must be hidden-layer counts (integers 0..64), got ${d}`);
      // Every hidden layer is as wide as the first of --model, or of the dataset's default model.
      const width = base.model.length >= 3 ? base.model[1] : undefined;
      if (width === undefined && depths.some((d) => d > 0)) {
        const m = modelText(base.model, base.dataset);
        const source = flags.model !== undefined ? `--model ${m} has none` : `${base.dataset}'s default model (${m}) has none`;
        throw new FlagError(`--depths repeats the first hidden layer's width, and ${source}; give the width with a hidden layer, e.g. --model ${modelText([base.model[0], 16, base.model[base.model.length - 1]], base.dataset)}`);
      }
      return depths.map((d) => {
        const model = [base.model[0], ...new Array<number>(d).fill(width ?? 0), base.model[base.model.length - 1]];
        return variant(`depth=${d}`, { model });
      });
    }
    case 'activations':
      if (base.model.length < 3) {
        throw new FlagError(`--activations compares hidden-layer activations, and the model ${modelText(base.model, base.dataset)} has no hidden layers; give it one, e.g. --model ${modelText([base.model[0], 16, base.model[base.model.length - 1]], base.dataset)}`);
      }
      return (flags.activations as string[]).map((a) => {
        if (!(ACTIVATIONS as readonly string[]).includes(a)) throw new FlagError(`--activations must list ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(a)}`);
        return variant(a, { activation: a as ActivationName });
      });
  }
}
