package io.faultline.analyzer;

/**
 * What the result processor and the result publisher share: the result's settings, the SEV levels
 * and the /metrics they set. Built once per topology from the config.
 */
record ResultTerms(
    ResultCalculator.Settings settings,
    ResultCalculator.SeverityLevels levels,
    AnalyzerMetrics metrics) {

  static ResultTerms of(AnalyzerConfig config, AnalyzerMetrics metrics) {
    return new ResultTerms(config.resultSettings(), config.severityLevels(), metrics);
  }
}
