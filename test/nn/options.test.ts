import test from 'ava';
import { activation } from '../../src/nn/activation.js';
import { batchNorm1d } from '../../src/nn/batchnorm.js';
import { dense } from '../../src/nn/dense.js';
import { dropout } from '../../src/nn/dropout.js';
import { Model } from '../../src/nn/model.js';

test('dropout p outside [0, 1) is a RangeError naming p and the value', (t) => {
  t.regex(t.throws(() => dropout(1), { instanceOf: RangeError })!.message, /dropout p must be a number in \[0, 1\), got 1 \(number\)/);
  t.regex(t.throws(() => dropout(-0.1), { instanceOf: RangeError })!.message, /got -0\.1 \(number\)/);
  t.regex(t.throws(() => dropout(NaN), { instanceOf: RangeError })!.message, /got NaN \(number\)/);
});

test('sizes must be positive integers', (t) => {
  t.regex(t.throws(() => dense(0, 3), { instanceOf: RangeError })!.message, /dense inputs must be a positive integer, got 0 \(number\)/);
  t.regex(t.throws(() => dense(3, 2.5), { instanceOf: RangeError })!.message, /dense units must be a positive integer, got 2\.5 \(number\)/);
  t.regex(t.throws(() => dense(3, '4' as never), { instanceOf: TypeError })!.message, /got "4" \(string\)/);
  t.regex(t.throws(() => batchNorm1d(-2), { instanceOf: RangeError })!.message, /batchnorm features must be a positive integer, got -2/);
});

test('unknown options and bad values are named', (t) => {
  t.regex(t.throws(() => dense(2, 2, { initt: 'zeros' } as never), { instanceOf: TypeError })!.message, /dense options: unknown option "initt"/);
  t.regex(t.throws(() => dense(2, 2, { init: 'ones' as never }), { instanceOf: TypeError })!.message, /dense options.init must be one of .*got "ones"/);
  t.regex(t.throws(() => activation('swish' as never))!.message, /activation must be one of sigmoid, tanh, relu, leaky-relu, gelu, got "swish"/);
  t.regex(t.throws(() => new Model([dense(2, 2)], { dtype: 'float16' as never }))!.message, /model options.dtype must be one of float32, float64, got "float16"/);
  t.regex(t.throws(() => batchNorm1d(2, { momentum: 2 }))!.message, /batchnorm options.momentum must be a number in \[0, 1\], got 2/);
  t.regex(t.throws(() => new Model([activation('relu')]))!.message, /model options.inputs must be a positive integer/);
});
