import { readFile } from 'node:fs/promises';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { KIND_CLUSTER_CONFIG } from '../../src/substrates/kind/kind-substrate.js';
import { loadVersions } from '../../src/versions/index.js';

/**
 * kind v0.30's `kind.x-k8s.io/v1alpha4` Cluster (pkg/apis/config/v1alpha4/types.go), strict like kind's
 * own decoder (unknown fields are errors there too).
 */
const patchJson6902 = z.strictObject({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  patch: z.string(),
});
const node = z.strictObject({
  role: z.enum(['control-plane', 'worker']),
  image: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  extraMounts: z.array(z.record(z.string(), z.unknown())).optional(),
  extraPortMappings: z.array(z.record(z.string(), z.unknown())).optional(),
  kubeadmConfigPatches: z.array(z.string()).optional(),
  kubeadmConfigPatchesJSON6902: z.array(patchJson6902).optional(),
});
const cluster = z.strictObject({
  kind: z.literal('Cluster'),
  apiVersion: z.literal('kind.x-k8s.io/v1alpha4'),
  name: z.string().optional(),
  nodes: z.array(node).optional(),
  networking: z
    .strictObject({
      ipFamily: z.enum(['ipv4', 'ipv6', 'dual']).optional(),
      apiServerPort: z.number().int().optional(),
      apiServerAddress: z.string().optional(),
      podSubnet: z.string().optional(),
      serviceSubnet: z.string().optional(),
      disableDefaultCNI: z.boolean().optional(),
      kubeProxyMode: z.enum(['iptables', 'ipvs', 'nftables', 'none']).optional(),
      dnsSearch: z.array(z.string()).optional(),
    })
    .optional(),
  featureGates: z.record(z.string(), z.boolean()).optional(),
  runtimeConfig: z.record(z.string(), z.string()).optional(),
  kubeadmConfigPatches: z.array(z.string()).optional(),
  kubeadmConfigPatchesJSON6902: z.array(patchJson6902).optional(),
  containerdConfigPatches: z.array(z.string()).optional(),
  containerdConfigPatchesJSON6902: z.array(z.string()).optional(),
});

describe('manifests/kind/cluster.yaml', () => {
  let text: string;
  let config: z.infer<typeof cluster>;

  beforeAll(async () => {
    text = await readFile(KIND_CLUSTER_CONFIG, 'utf8');
    expect(parseAllDocuments(text)).toHaveLength(1);
    config = cluster.parse(parse(text));
  });

  it('is one control plane and two workers', () => {
    expect(config.nodes?.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
  });

  it('leaves the node image to the command line, where it is pinned by digest', () => {
    expect(config.nodes?.some((n) => n.image !== undefined)).toBe(false);
    expect(loadVersions().images.kindNode.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('patches kubeadm v1beta3 ClusterConfiguration (map-style extraArgs) to expose control-plane metrics', () => {
    const patches = config.nodes?.[0]?.kubeadmConfigPatches ?? [];
    expect(patches).toHaveLength(1);
    const patch = parse(patches[0] as string) as {
      kind: string;
      apiVersion?: string;
      controllerManager: { extraArgs: Record<string, string> };
      scheduler: { extraArgs: Record<string, string> };
      etcd: { local: { extraArgs: Record<string, string> } };
    };
    expect(patch.kind).toBe('ClusterConfiguration');
    // No apiVersion: kind matches the patch to whatever version it renders (v1beta3 for 1.34 in kind v0.30).
    expect(patch.apiVersion).toBeUndefined();
    expect(patch.controllerManager.extraArgs).toEqual({ 'bind-address': '0.0.0.0' });
    expect(patch.scheduler.extraArgs).toEqual({ 'bind-address': '0.0.0.0' });
    expect(patch.etcd.local.extraArgs).toEqual({ 'listen-metrics-urls': 'http://0.0.0.0:2381' });
  });

  it('is refused by the schema when it gains a field kind does not know', () => {
    expect(cluster.safeParse({ ...config, metadata: { name: 'firedrill' } }).success).toBe(false);
  });
});
