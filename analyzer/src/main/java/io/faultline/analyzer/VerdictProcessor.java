package io.faultline.analyzer;

import io.faultline.analyzer.stats.Baseline;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Summary;
import io.faultline.analyzer.stats.WelchWindowTest;
import io.faultline.analyzer.stats.WindowJudgement;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Judges each closed window of one metric. The first {@code warmupWindows} windows in which both
 * groups have data define the baseline (store {@code metric-baselines}); they are reported as
 * INSUFFICIENT_DATA. Every later window is judged against the control group mapped through that
 * baseline, so a difference the groups already had before any attack is not a deviation.
 */
final class VerdictProcessor
    implements Processor<Windowed<String>, WindowPair, String, WindowVerdict> {

  static final String STORE = "metric-baselines";

  /** Warm-up state of one experiment+metric (JSON in the store). */
  public static final class WarmUp {
    public int windows;
    public double[] control = new double[6];
    public double[] experimental = new double[6];

    static double[] pack(Summary s) {
      return new double[] {s.count(), s.mean(), s.m2(), s.min(), s.max(), s.sum()};
    }

    static Summary unpack(double[] v) {
      return new Summary((long) v[0], v[1], v[2], v[3], v[4], v[5]);
    }
  }

  private final int warmupWindows;
  private ProcessorContext<String, WindowVerdict> context;
  private KeyValueStore<String, WarmUp> store;

  VerdictProcessor(int warmupWindows) {
    this.warmupWindows = warmupWindows;
  }

  @Override
  public void init(ProcessorContext<String, WindowVerdict> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<Windowed<String>, WindowPair> record) {
    String key = record.key().key();
    int bar = key.indexOf('|');
    String experimentId = bar < 0 ? key : key.substring(0, bar);
    String metric = bar < 0 ? "" : key.substring(bar + 1);
    WindowPair pair = record.value();
    MetricPolicy policy = MetricPolicy.defaultFor(metric);

    WarmUp warmUp = store.get(key);
    if (warmUp == null) {
      warmUp = new WarmUp();
    }
    WindowJudgement judgement;
    if (warmUp.windows < warmupWindows) {
      boolean usable =
          pair.control().count() >= policy.minCount()
              && pair.experimental().count() >= policy.minCount();
      if (usable) {
        warmUp.control = WarmUp.pack(WarmUp.unpack(warmUp.control).merge(pair.control()));
        warmUp.experimental =
            WarmUp.pack(WarmUp.unpack(warmUp.experimental).merge(pair.experimental()));
        warmUp.windows++;
        store.put(key, warmUp);
      }
      WindowJudgement raw = WelchWindowTest.judge(pair.control(), pair.experimental(), policy);
      judgement =
          new WindowJudgement(
              SteadyState.INSUFFICIENT_DATA, raw.effect(), raw.statistic(), raw.pValue());
    } else {
      Baseline baseline =
          warmupWindows == 0
              ? Baseline.NONE
              : Baseline.learn(
                  WarmUp.unpack(warmUp.control), WarmUp.unpack(warmUp.experimental), policy);
      judgement = WelchWindowTest.judge(pair.control(), pair.experimental(), policy, baseline);
    }
    WindowVerdict v =
        WindowVerdict.newBuilder()
            .setExperimentId(experimentId)
            .setMetric(metric)
            .setWindowStart(record.key().window().start())
            .setWindowEnd(record.key().window().end())
            .setControl(statistics(pair.control()))
            .setExperimental(statistics(pair.experimental()))
            .setEffect(judgement.effect())
            .setTestStatistic(
                Double.isInfinite(judgement.statistic()) ? Double.MAX_VALUE : judgement.statistic())
            .setPValue(Double.isNaN(judgement.pValue()) ? null : judgement.pValue())
            .setState(judgement.state())
            .build();
    context.forward(new Record<>(key, v, record.timestamp()));
  }

  static GroupStatistics statistics(Summary s) {
    return GroupStatistics.newBuilder()
        .setCount(s.count())
        .setMean(s.mean())
        .setVariance(s.variance())
        .setMin(s.min())
        .setMax(s.max())
        .setSum(s.sum())
        .build();
  }
}
