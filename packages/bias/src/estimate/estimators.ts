import type { Estimator } from './estimator.js';
import { perNeuronInfluence, perNeuronScores } from './per-neuron.js';
import { pooledInfluence, pooledScores } from './pooled.js';

/**
 * The estimators, in the order `both` runs them: every list of names, option parser, record
 * check and bootstrap branch reads this table, so an estimator is added here and nowhere else.
 */
export const ESTIMATORS = [
  { name: 'per-neuron', score: perNeuronScores, influence: perNeuronInfluence },
  { name: 'pooled', score: pooledScores, influence: pooledInfluence },
] as const satisfies readonly Estimator[];

/** An estimator's name: the `method` option and the `method` field of every result. */
export type EstimatorMethod = (typeof ESTIMATORS)[number]['name'];

/** The estimators' names, in table order. */
export const ESTIMATOR_METHODS: readonly EstimatorMethod[] = ESTIMATORS.map((e) => e.name);

/** The estimator used when none is named. */
export const DEFAULT_ESTIMATOR: EstimatorMethod = 'per-neuron';

export function isEstimatorMethod(v: unknown): v is EstimatorMethod {
  return (ESTIMATOR_METHODS as readonly unknown[]).includes(v);
}

/** The table's entry for `name` (a name checked with {@link isEstimatorMethod}). */
export function estimatorOf(name: EstimatorMethod): Estimator {
  const e = ESTIMATORS.find((x) => x.name === name);
  if (!e) throw new RangeError(`estimator must be one of ${ESTIMATOR_METHODS.join(', ')}, got ${JSON.stringify(name)}`);
  return e;
}
