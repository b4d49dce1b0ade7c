import type { BoxDto, FaceAttributesDto, PersonMatchDto } from '@airport-mesh/contracts';

/** A face as the analysers describe it (the shared vocabulary's box, score and attributes). */
export type AnalysedFace = Partial<FaceAttributesDto> & { box?: BoxDto; score?: number };

/**
 * The seam where image analysis and face recognition plug in: given a frame, who is in it.
 * With no analyser configured, frames are stored unanalysed (personCount null), never invented.
 */
export interface FrameAnalysis {
  personCount: number | null;
  faces: AnalysedFace[];
  matches: PersonMatchDto[];
}

/** A frame's JPEG as the camera sent it (base64) and decoded once by the collector (its bytes). */
export interface FrameImage {
  base64: string;
  jpeg: Buffer<ArrayBuffer>;
}

export abstract class FrameAnalyzer {
  abstract analyze(image: FrameImage): Promise<FrameAnalysis>;
}

export class NoFrameAnalyzer extends FrameAnalyzer {
  async analyze(): Promise<FrameAnalysis> {
    return { personCount: null, faces: [], matches: [] };
  }
}
