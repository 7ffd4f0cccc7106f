/**
 * The HTML incident report (`firedrill report`): one self-contained file per bundle for people reviewing
 * a task: alert timeline, service charts, events, traces, topology and logs; the ground truth on request.
 */
export { writeReport, defaultReportPath, type ReportOptions } from './write-report.js';
export { readReportData, traceOrder, type ReportData, type TruthView } from './report-data.js';
export { renderReportHtml } from './render-html.js';
