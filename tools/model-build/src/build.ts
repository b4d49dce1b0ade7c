// `nx run model-build:build`: converts the TF.js graph models of @vladmandic/human to ONNX.
// Writes dist/models/<name>.onnx, dist/models/<name>.json (inputs, outputs, normalisation, op
// counts, sha256) and dist/models/manifest.json. Deterministic: same sources → same bytes. Then
// dist/models/faceres-int8.onnx (quantize.ts), whose activation ranges come from fp32 inference on
// this CPU: its bytes can differ in the last bits from one CPU to another, its results may not.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertTfGraph } from './convert.js';
import { findPackageDir, MODELS, packageVersion } from './models.js';
import { describeCheck, writeInt8Faceres } from './quantize.js';
import { loadTfGraphModel } from './tfjs-model.js';

export function buildModels(outDir: string): Record<string, unknown> {
  const humanDir = findPackageDir('@vladmandic/human');
  const humanVersion = packageVersion(humanDir);
  mkdirSync(outDir, { recursive: true });
  const manifest: Record<string, unknown> = { source: `@vladmandic/human@${humanVersion}`, models: {} };
  for (const spec of MODELS) {
    const tf = loadTfGraphModel(join(humanDir, spec.source));
    const res = convertTfGraph(tf, {
      inputLayout: 'NCHW',
      outputNames: spec.outputNames,
      outputs: Object.keys(spec.outputNames),
      graphName: spec.name,
      docString: `${spec.name} converted from @vladmandic/human@${humanVersion} ${spec.source} (${tf.generatedBy ?? 'unknown origin'}) by airport-mesh model-build`,
      metadata: { source: `@vladmandic/human@${humanVersion}/${spec.source}`, input: spec.inputNormalization },
    });
    const sha256 = createHash('sha256').update(res.onnx).digest('hex');
    writeFileSync(join(outDir, `${spec.name}.onnx`), res.onnx);
    const meta = {
      name: spec.name,
      file: `${spec.name}.onnx`,
      sha256,
      bytes: res.onnx.length,
      source: `@vladmandic/human@${humanVersion}/${spec.source}`,
      origin: tf.generatedBy,
      inputNormalization: spec.inputNormalization,
      inputs: res.inputs,
      outputs: res.outputs,
      ...spec.extra,
      tfOps: res.tfOps,
      onnxOps: res.onnxOps,
      rewrites: res.rewrites,
    };
    writeFileSync(join(outDir, `${spec.name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
    (manifest.models as Record<string, unknown>)[spec.name] = { file: meta.file, sha256, bytes: meta.bytes };
    console.log(
      `${spec.name}: ${res.onnx.length} bytes, sha256 ${sha256.slice(0, 16)}…, TF ops ${JSON.stringify(res.tfOps)} → ONNX ${JSON.stringify(res.onnxOps)}, rewrites ${JSON.stringify(res.rewrites)}`,
    );
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'dist/models');
  const manifest = buildModels(out);
  // the int8 FaceRes the services load by default, only if it gives the fp32 graph's results
  const check = await writeInt8Faceres(out);
  const bytes = readFileSync(check.file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  (manifest.models as Record<string, unknown>)['faceres-int8'] = {
    file: basename(check.file),
    sha256,
    bytes: bytes.length,
    from: 'faceres.onnx, Conv weights int8 per channel, activations uint8 calibrated on the face-api sample faces',
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `faceres-int8: ${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}…, calibrated on ${check.crops} face crops; ${describeCheck(check)}`,
  );
  if (check.problems.length)
    throw new Error('faceres-int8.onnx does not give the fp32 results (see above); the build stops');
  console.log(`models written to ${out}`);
}
