import { join } from 'node:path';
import { REPO_ROOT } from '../version.js';

/** Root of everything deployed: Kubernetes manifests, alert rules, the Alertmanager config. */
export const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');
/** The shop's Kubernetes objects (namespace shop, plus the harness's flags and loadgen in firedrill-system). */
export const SHOP_MANIFESTS_DIR = join(MANIFESTS_DIR, 'shop');
/** Plain Prometheus rule files (`*.rules.yaml`), loaded as-is by both substrates. */
export const RULES_DIR = join(MANIFESTS_DIR, 'rules');
/** promtool unit tests for the rule files. */
export const RULE_TESTS_DIR = join(RULES_DIR, 'tests');
export const ALERTMANAGER_CONFIG_FILE = join(MANIFESTS_DIR, 'alertmanager', 'alertmanager.yml');
