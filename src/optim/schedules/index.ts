export { ClosedFormScheduler, type LrScheduler, type SchedulerStateDict } from './scheduler.js';
export { StepLR, type StepLROptions } from './step.js';
export { MultiStepLR, type MultiStepLROptions } from './multistep.js';
export { ExponentialLR, type ExponentialLROptions } from './exponential.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine.js';
export { LinearLR, type LinearLROptions } from './linear.js';
export { LambdaLR, type LambdaLROptions } from './lambda.js';
export { LinearWarmup, type LinearWarmupOptions } from './warmup.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
