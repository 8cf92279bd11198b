/** gradpool's public API: re-exports only. */
export { DTYPES, allocate, heapAllocator, type Allocator, type DType, type FloatArray } from './tensor/dtype.js';
export { Tensor } from './tensor/tensor.js';
export { toMatrix, toTensor, toLabels, type FlatInput, type MatrixInput } from './tensor/convert.js';
export { Rng } from './rng.js';
export { DataError, FileFormatError, ShapeError } from './errors.js';

export { Model, type ModelConfig, type ModelOptions, type LayerWeights } from './nn/model.js';
export { Dense, dense, type DenseOptions } from './nn/dense.js';
export { Activation, ACTIVATIONS, activation, gelu, leakyRelu, relu, sigmoid, tanh, type ActivationName } from './nn/activation.js';
export { Dropout, dropout } from './nn/dropout.js';
export { BatchNorm1d, batchNorm1d, type BatchNormOptions } from './nn/batchnorm.js';
export { Residual, residual } from './nn/residual.js';
export { Sequential } from './nn/sequential.js';
export { INITIALIZERS, type Initializer } from './nn/init.js';
export { INFERENCE, type ForwardContext, type Layer, type LayerConfig } from './nn/layer.js';
export type { ParamEntry, ParamRole, ParamSet } from './nn/params.js';
export { layerFromConfig, layersFromConfig } from './nn/registry.js';

export { LOSSES, binaryCrossEntropy, halfSquaredError, lossByName, mse, softmaxCrossEntropy, type Loss, type Target } from './losses/index.js';

export * from './optim/index.js';

export { makeDataset, type Dataset, type DatasetInput } from './data/dataset.js';
export { Trainer, fit, type BatchInfo, type EpochRecord, type ProgressInfo, type TrainerOptions } from './train/trainer.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { NonFiniteGradientError } from './train/update.js';
export type { StepEngine, StepResult } from './train/engine.js';

export { loadModel, loadWeights, saveModel } from './io/modelFile.js';
export { curvesReport, type CurvesReportOptions, type RunHistory } from './report/history.js';

export { ParallelEngine, ShardError, WorkerFailure, PARALLEL_DEFAULTS, type ParallelOptions, type StepProfile } from './parallel/engine.js';
export { RemoteTraining, type RemoteWeights } from './parallel/remote.js';
export type { SessionSpec, BatchEvent } from './parallel/session.js';
export { SerialEngine } from './train/serialEngine.js';
export { EarlyStopping, type EarlyStoppingOptions } from './train/earlyStopping.js';
export type { TrainerState } from './train/trainer.js';
export * from './kernels/index.js';
