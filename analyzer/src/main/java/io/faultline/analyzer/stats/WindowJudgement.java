package io.faultline.analyzer.stats;

import io.faultline.schema.SteadyState;

/**
 * The outcome of comparing one window of the experimental group with the control group.
 *
 * @param effect relative difference of means, (experimental - control) / |control| (or the absolute
 *     difference when the control mean is 0)
 * @param statistic Welch's t of the excess over the tolerated difference
 * @param pValue one-sided p-value of that excess, NaN when not computed
 */
public record WindowJudgement(SteadyState state, double effect, double statistic, double pValue) {}
