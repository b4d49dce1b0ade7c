export * from './types.js';
export { EXPERIMENTS, LAB_CLIENT_ENV, LabUsageError, experimentNames, selectExperiments } from './experiments.js';
export { evaluate, compare, formatBound, formatMetric } from './hypothesis.js';
export { runLab, planFor, type LabOptions, type LabOutcome } from './lab.js';
export { runLocalExperiment, checkLocalPrerequisites } from './local.js';
export { runClusterExperiments, Kubectl, NAMESPACE, type ClusterOptions } from './cluster.js';
export {
  renderReport,
  renderComparison,
  buildCharts,
  buildComparisonCharts,
  writeReport,
  writeComparison,
} from './report.js';
export { renderSvg, type ChartOrNote } from './charts.js';
export { renderHtml } from './html.js';
export { offloadTable, FEATURES } from './offload.js';
export { mergeRuns, percentileDistribution } from './hdr.js';
export { RecordingProxy } from './proxy.js';
export { LabError, counterValue } from './http.js';
export { countFrames, frameMetrics, tailSuccessRate } from './measure.js';
export { runCli, readResult, USAGE } from './cli-main.js';
