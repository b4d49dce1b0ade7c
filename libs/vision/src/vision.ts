// The public face-analysis API: decode → BlazeFace → one batched FaceRes run for all faces.
import { performance } from 'node:perf_hooks';
import {
  cutByTile,
  decodeCandidates,
  DETECTOR_SIZE,
  generateAnchors,
  insideShare,
  iou,
  letterbox,
  letterboxAffine,
  suppress,
  tilePlan,
  toDetections,
  type Box,
  type Candidate,
  type Detection,
  type InputView,
} from './blazeface.js';
import { DEFAULT_MIN_FACE_CONFIDENCE, faceConfidence } from './facemesh.js';
import { FACERES_SIZE, faceCropAffine, l2normalize, readAge, readGender, type Attributes } from './faceres.js';
import { decodeImage, DEFAULT_MAX_PIXELS, resizeRgb, sampleAffine, type RgbImage } from './image.js';
import {
  defaultModelsDir,
  FACERES_PRECISIONS,
  getSessions,
  ort,
  type FaceresPrecision,
  type OptimizationLevel,
  type Sessions,
} from './models.js';

export interface VisionOptions {
  /** Folder with blazeface.onnx, facemesh.onnx and faceres.onnx. Default: env MODELS_DIR, else the repo's tools/model-build/dist/models. */
  modelsDir?: string;
  /** onnxruntime intra-op threads per model. Default: env VISION_THREADS, else 1. */
  threads?: number;
  /** onnxruntime graph optimisation level. Default 'all'. */
  optimization?: OptimizationLevel;
  /**
   * FaceRes with int8 convolutions (default: env VISION_FACERES, else 'int8') or the fp32 graph.
   * Equal results on the evaluation set, 2.5× faster (docs/performance.md, "int8 FaceRes").
   */
  faceres?: FaceresPrecision;
  /** Images with more pixels are rejected (ImageTooLargeError) before decoding. Default 40 MP. */
  maxPixels?: number;
  /** Minimum face probability. Default 0.5 (see docs/vision.md: faces ≥ 0.53, non-faces ≤ 0.43 on the test images). */
  minScore?: number;
  /** IoU above which detections merge. Default 0.3. */
  iouThreshold?: number;
  /** 'weighted' (MediaPipe blending, default) or 'hard' NMS. */
  nms?: 'weighted' | 'hard';
  /** At most this many detector boxes per frame (highest scores), before the second stage. Default 128 (a crowd of 109 faces is in the tuning split). */
  maxFaces?: number;
  /** Rotate the face crop so the eyes are level. Default false: it hurt profile faces (docs/vision.md). */
  align?: boolean;
  /**
   * Second stage: 'facemesh' (default) keeps a detector box only if FaceMesh's face flag reaches
   * `minFaceConfidence`; 'none' keeps every box the detector finds (the behaviour before the
   * second stage existed, which counted cats, squirrels, apples and cups as faces).
   */
  confirm?: 'facemesh' | 'none';
  /** Face flag (0..1) a box needs to be kept when `confirm` is 'facemesh'. Default DEFAULT_MIN_FACE_CONFIDENCE. */
  minFaceConfidence?: number;
  /**
   * A second detection pass over overlapping tiles of the frame, each run through BlazeFace at a
   * larger scale than the whole frame gets (docs/vision.md, section 6, "Tiles"). 'auto' (default)
   * runs it only when the whole-frame pass leaves an unsure candidate: a box scoring between
   * `tileTrigger` and `minScore` that overlaps no face. 'always' runs it on every frame larger than
   * one tile; 'off' never.
   */
  tiling?: 'auto' | 'always' | 'off';
  /** Detector score from which a leftover whole-frame candidate triggers the tiled pass in 'auto'. Default DEFAULT_TILE_TRIGGER. */
  tileTrigger?: number;
  /** Tile side in source pixels. Default: `defaultTileSize(width, height)`. */
  tileSize?: number;
}

/** Leftover whole-frame candidates at or above this score make 'auto' tiling run (chosen on the tuning split, docs/vision.md). */
export const DEFAULT_TILE_TRIGGER = 0.3;
/** Neighbouring tiles overlap by this share of the tile side, so a face up to that size is whole in one of them. */
export const TILE_OVERLAP = 0.25;

/**
 * The default tile side: half the image's shorter side, but never less than the detector input
 * (a tile is never enlarged). Each tile is then seen at ≥ 2× the whole frame's scale for frames wider
 * than about 2:1, and at 2× for square ones.
 */
export function defaultTileSize(width: number, height: number): number {
  return Math.max(DETECTOR_SIZE, Math.round(Math.min(width, height) / 2));
}

export interface Face extends Attributes {
  /** Face box in source pixels (the detector's box, clamped to the image). */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  landmarks: Detection['landmarks'];
  /** FaceMesh face flag, 0..1 (absent when `confirm` is 'none'). */
  faceConfidence?: number;
}

export interface Timings {
  decodeMs: number;
  detectMs: number;
  attributesMs: number;
  /** The second stage (FaceMesh on every detector box), the part of detectMs after BlazeFace; 0 when `confirm` is 'none'. */
  confirmMs?: number;
  /** The tiled detection pass, part of detectMs before the second stage; 0 when it did not run. */
  tileMs?: number;
  /** Tiles the tiled pass ran (0 when it did not run). */
  tiles?: number;
}

export interface AnalyzeResult {
  width: number;
  height: number;
  faces: Face[];
  timings: Timings;
}

export interface DetectResult {
  width: number;
  height: number;
  faces: (Detection & { faceConfidence?: number })[];
}

/** An image as bytes (JPEG, PNG, WebP…) or already decoded RGB. */
export type ImageInput = Uint8Array | RgbImage;

type InternalDetection = Detection & { raw: Box; faceConfidence?: number };

const anchors = generateAnchors(DETECTOR_SIZE);

function faceresFromEnv(): FaceresPrecision {
  const v = process.env.VISION_FACERES;
  if (v === undefined || v === '') return 'int8';
  if (!(FACERES_PRECISIONS as readonly string[]).includes(v))
    throw new Error(`VISION_FACERES must be one of ${FACERES_PRECISIONS.join(', ')}, not ${v}`);
  return v as FaceresPrecision;
}

function isRgb(x: ImageInput): x is RgbImage {
  return !(x instanceof Uint8Array) && typeof (x as RgbImage).width === 'number';
}

export class Vision {
  readonly modelsDir: string;
  readonly threads: number;
  readonly optimization: OptimizationLevel;
  readonly faceres: FaceresPrecision;
  readonly maxPixels: number;
  private readonly decodeOpts: { minScore: number; iouThreshold: number; nms: 'weighted' | 'hard'; maxFaces: number };
  readonly tiling: 'auto' | 'always' | 'off';
  readonly tileTrigger: number;
  get maxFaces(): number {
    return this.decodeOpts.maxFaces;
  }
  get minScore(): number {
    return this.decodeOpts.minScore;
  }
  private readonly tileSize?: number;
  private readonly align: boolean;
  readonly confirm: 'facemesh' | 'none';
  readonly minFaceConfidence: number;
  private sessions?: Promise<Sessions>;
  private loaded = false;

  /** Cheap: nothing is loaded until `ready()` or the first inference. */
  constructor(options: VisionOptions = {}) {
    this.modelsDir = options.modelsDir ?? defaultModelsDir();
    this.threads = options.threads ?? (Number(process.env.VISION_THREADS) || 1);
    this.optimization = options.optimization ?? 'all';
    this.faceres = options.faceres ?? faceresFromEnv();
    this.maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
    this.decodeOpts = {
      minScore: options.minScore ?? 0.5,
      iouThreshold: options.iouThreshold ?? 0.3,
      nms: options.nms ?? 'weighted',
      maxFaces: options.maxFaces ?? 128,
    };
    this.align = options.align ?? false;
    this.confirm = options.confirm ?? 'facemesh';
    this.minFaceConfidence = options.minFaceConfidence ?? DEFAULT_MIN_FACE_CONFIDENCE;
    this.tiling = options.tiling ?? 'auto';
    this.tileTrigger = Math.min(options.tileTrigger ?? DEFAULT_TILE_TRIGGER, this.decodeOpts.minScore);
    this.tileSize = options.tileSize;
  }

  /** A Vision whose models are loaded (sessions are shared process-wide per models dir/threads). */
  static async load(options: VisionOptions = {}): Promise<Vision> {
    const v = new Vision(options);
    await v.ready();
    return v;
  }

  /** Resolves once both ONNX sessions exist (for readiness probes); rejects with ModelsUnavailableError. */
  ready(): Promise<void> {
    return this.getSessions().then(() => undefined);
  }

  get isReady(): boolean {
    return this.loaded;
  }

  private getSessions(): Promise<Sessions> {
    if (!this.sessions) {
      const p = getSessions({
        modelsDir: this.modelsDir,
        threads: this.threads,
        optimization: this.optimization,
        faceres: this.faceres,
      });
      this.sessions = p;
      p.then(
        () => (this.loaded = true),
        () => (this.sessions = undefined),
      );
    }
    return this.sessions;
  }

  /** Decodes bytes to RGB (typed errors for empty/non-image/truncated/too-large input). */
  decode(image: Uint8Array): Promise<RgbImage> {
    return decodeImage(image, this.maxPixels);
  }

  private async toRgb(image: ImageInput): Promise<RgbImage> {
    return isRgb(image) ? image : this.decode(image);
  }

  /** One BlazeFace run on a prepared 256×256 input: its candidates ≥ minScore in source pixels. */
  private async detectInput(s: Sessions, input: Float32Array, view: InputView, minScore: number): Promise<Candidate[]> {
    const out = await s.detector.run({
      [s.detector.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, DETECTOR_SIZE, DETECTOR_SIZE]),
    });
    const f = (name: string) => out[name].data as Float32Array;
    return decodeCandidates(
      [f('scores_stride16'), f('scores_stride32')],
      [f('boxes_stride16'), f('boxes_stride32')],
      anchors,
      view,
      minScore,
    );
  }

  private async detectRgb(img: RgbImage, stats?: { tileMs: number; tiles: number }): Promise<InternalDetection[]> {
    const s = await this.getSessions();
    const { minScore } = this.decodeOpts;
    const lb = letterbox(img);
    // libvips shrinks the frame (anti-aliased), then one pass places it in the square, normalised to -1..1
    const small = lb.width === img.width && lb.height === img.height ? img : await resizeRgb(img, lb.width, lb.height);
    const input = new Float32Array(3 * DETECTOR_SIZE * DETECTOR_SIZE);
    sampleAffine(small, input, 0, DETECTOR_SIZE, DETECTOR_SIZE, letterboxAffine(lb), 1 / 127.5, -1, 1);
    const low = this.tiling === 'auto' ? this.tileTrigger : minScore;
    const whole = await this.detectInput(s, input, lb, low);
    let cands = whole.filter((c) => c.score >= minScore);
    const size = this.tileSize ?? defaultTileSize(img.width, img.height);
    const tiles = this.tiling === 'off' ? [] : tilePlan(img, size, TILE_OVERLAP);
    // a single tile sees the frame at no larger scale than the letterbox did: nothing to gain
    const unsure = () => suppress(whole, this.decodeOpts).some((k) => k.score < minScore);
    if (tiles.length > 1 && (this.tiling === 'always' || unsure())) {
      const t0 = performance.now();
      // each pass answers for the faces it sees best: a face narrower than the tiles' overlap lies
      // whole inside some tile, seen there at a larger scale, so the whole-frame boxes of that size
      // (coarse, and in a dense crowd often placed between two faces) give way to the tiles' boxes;
      // a wider face the whole frame found keeps exactly its whole-frame box (and so its descriptor)
      const minWhole = TILE_OVERLAP * size;
      cands = cands.filter((c) => c.coords[2] - c.coords[0] >= minWhole);
      const wholeFaces = cands.length;
      const k = size / DETECTOR_SIZE;
      const ss = Math.max(1, Math.min(3, Math.ceil(k)));
      for (const tile of tiles) {
        const m = { ax: k, bx: 0, cx: tile.x, ay: 0, by: k, cy: tile.y };
        sampleAffine(img, input, 0, DETECTOR_SIZE, DETECTOR_SIZE, m, 1 / 127.5, -1, ss);
        const view = { scaleX: 1 / k, scaleY: 1 / k, offX: -tile.x / k, offY: -tile.y / k };
        for (const c of await this.detectInput(s, input, view, minScore))
          if (
            !cutByTile(c, tile, img, 0.02 * size) &&
            // a face the whole frame found answers for the tile boxes on it: one overlapping it, and
            // one lying mostly inside it with a lower score (a tile sees part of a large face, e.g.
            // eyes and nose, as a smaller, less certain face whose IoU with the whole face stays under
            // the NMS threshold; a surer small face inside a coarse whole-frame box is kept)
            !cands
              .slice(0, wholeFaces)
              .some(
                (w) =>
                  iou(w.coords, c.coords) > this.decodeOpts.iouThreshold ||
                  (insideShare(c.coords, w.coords) > 0.5 && c.score < w.score),
              )
          )
            cands.push(c);
      }
      if (stats) {
        stats.tileMs = performance.now() - t0;
        stats.tiles = tiles.length;
      }
    }
    return toDetections(suppress(cands, this.decodeOpts), img);
  }

  /** The second stage: FaceMesh's face flag for every box, and only the boxes that reach minFaceConfidence. */
  private async confirmRgb(img: RgbImage, dets: InternalDetection[]): Promise<InternalDetection[]> {
    if (this.confirm === 'none' || !dets.length) return dets;
    const s = await this.getSessions();
    const flags = await faceConfidence(s.facemesh, img, dets);
    return dets
      .map((d, i) => ({ ...d, faceConfidence: flags[i] }))
      .filter((d) => d.faceConfidence >= this.minFaceConfidence);
  }

  private async describeRgb(img: RgbImage, faces: InternalDetection[]): Promise<Attributes[]> {
    if (!faces.length) return [];
    const s = await this.getSessions();
    const per = 3 * FACERES_SIZE * FACERES_SIZE;
    const input = new Float32Array(per * faces.length);
    faces.forEach((f, i) => {
      const m = faceCropAffine(f.raw, f.landmarks, this.align);
      const ss = Math.max(1, Math.min(3, Math.round(Math.hypot(m.ax, m.ay) / 1.5)));
      sampleAffine(img, input, i * per, FACERES_SIZE, FACERES_SIZE, m, 1, 0, ss);
    });
    const out = await s.faceres.run({
      [s.faceres.inputNames[0]]: new ort.Tensor('float32', input, [faces.length, 3, FACERES_SIZE, FACERES_SIZE]),
    });
    const gender = out.gender.data as Float32Array;
    const age = out.age.data as Float32Array;
    const desc = out.descriptor.data as Float32Array;
    return faces.map((_, i) => ({
      ...readGender(gender[i]),
      ...readAge(age.subarray(i * 100, (i + 1) * 100)),
      descriptor: l2normalize(desc.subarray(i * 1024, (i + 1) * 1024)),
    }));
  }

  /** Face boxes, scores and landmarks. */
  async detect(image: ImageInput): Promise<DetectResult> {
    const img = await this.toRgb(image);
    const faces = await this.confirmRgb(img, await this.detectRgb(img));
    return {
      width: img.width,
      height: img.height,
      faces: faces.map(({ box, score, landmarks, faceConfidence }) =>
        faceConfidence === undefined ? { box, score, landmarks } : { box, score, landmarks, faceConfidence },
      ),
    };
  }

  /**
   * Gender, age and descriptor of the given faces of `image` (all in one FaceRes run), or of every
   * face the detector finds when `faces` is omitted.
   */
  async describe(image: ImageInput, faces?: Detection[]): Promise<Attributes[]> {
    const img = await this.toRgb(image);
    const dets: InternalDetection[] = faces
      ? faces.map((f) => ({ ...f, raw: (f as InternalDetection).raw ?? f.box }))
      : await this.confirmRgb(img, await this.detectRgb(img));
    return this.describeRgb(img, dets);
  }

  /** Decode once, detect, describe every face in one batch. */
  async analyze(image: ImageInput): Promise<AnalyzeResult> {
    const t0 = performance.now();
    const img = await this.toRgb(image);
    const t1 = performance.now();
    const tiling = { tileMs: 0, tiles: 0 };
    const candidates = await this.detectRgb(img, tiling);
    const t2 = performance.now();
    const dets = await this.confirmRgb(img, candidates);
    const t2b = performance.now();
    const attrs = await this.describeRgb(img, dets);
    const t3 = performance.now();
    return {
      width: img.width,
      height: img.height,
      faces: dets.map((d, i) => ({
        box: d.box,
        score: d.score,
        landmarks: d.landmarks,
        ...(d.faceConfidence === undefined ? {} : { faceConfidence: d.faceConfidence }),
        ...attrs[i],
      })),
      timings: { decodeMs: t1 - t0, detectMs: t2b - t1, attributesMs: t3 - t2b, confirmMs: t2b - t2, ...tiling },
    };
  }
}
