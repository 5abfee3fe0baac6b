import { predictProba, trainLogisticRegression } from '../model/logistic-regression.js';
import { rowMaxima, rowOf, stackRows, type Matrix } from '../model/matrix.js';
import { accuracy, macroF1 } from './metrics.js';

/** Inverse regularisation strength of the evaluated classifier: scikit-learn's LogisticRegression default (the modAL peer uses it too). */
export const EVALUATION_C = 1;

export interface EvaluationData {
  poolEmbeddings: Matrix<Float32Array>;
  poolLabels: readonly string[];
  evalEmbeddings: Matrix<Float32Array>;
  evalLabels: readonly string[];
}

export interface RoundEvaluation {
  accuracy: number;
  macroF1: number;
  /** Mean least confidence (1 − max p) over the unlabeled pool: the uncertainty-plateau signal. Undefined without a model. */
  poolUncertainty?: number;
  /** The model's prediction for every pool row (stable-prediction signal); undefined without a model. */
  poolPredictions?: string[];
}

/**
 * Trains kgal's logistic regression (L2, C = 1, deterministic) on the labeled pool rows and scores it on
 * the evaluation split. With fewer than two labeled classes there is no model: every evaluation item is
 * predicted as the only labeled class (or nothing at all with no labels), which is what a campaign has at
 * that point.
 */
export function evaluateLabeledSet(data: EvaluationData, labeledRows: readonly number[]): RoundEvaluation {
  const classNames = [...new Set(labeledRows.map((row) => data.poolLabels[row]!))].sort();
  if (classNames.length < 2) {
    const constant = classNames[0];
    const predicted = data.evalLabels.map(() => constant);
    return { accuracy: accuracy(data.evalLabels, predicted), macroF1: macroF1(data.evalLabels, predicted) };
  }
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const X = stackRows(labeledRows.map((row) => rowOf(data.poolEmbeddings, row)), data.poolEmbeddings.cols);
  const y = Int32Array.from(labeledRows, (row) => classIndex.get(data.poolLabels[row]!)!);
  const model = trainLogisticRegression(X, y, { classes: classNames.length, C: EVALUATION_C });
  const evalPredicted = argmaxNames(predictProba(model, data.evalEmbeddings), classNames).names;
  const pool = argmaxNames(predictProba(model, data.poolEmbeddings), classNames);
  const labeled = new Set(labeledRows);
  let uncertaintySum = 0;
  let unlabeled = 0;
  for (let row = 0; row < pool.maxProbability.length; row += 1) {
    if (labeled.has(row)) continue;
    uncertaintySum += 1 - pool.maxProbability[row]!;
    unlabeled += 1;
  }
  const evaluation: RoundEvaluation = {
    accuracy: accuracy(data.evalLabels, evalPredicted),
    macroF1: macroF1(data.evalLabels, evalPredicted),
    poolPredictions: pool.names,
  };
  if (unlabeled > 0) evaluation.poolUncertainty = uncertaintySum / unlabeled;
  return evaluation;
}

function argmaxNames(P: Matrix<Float64Array>, classNames: readonly string[]): { names: string[]; maxProbability: Float64Array } {
  const { index, value } = rowMaxima(P);
  return { names: Array.from(index, (k) => classNames[k]!), maxProbability: value };
}
