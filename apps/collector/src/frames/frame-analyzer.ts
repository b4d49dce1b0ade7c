/**
 * The seam where image analysis and face recognition plug in: given a frame, who is in it.
 * Until an analyser is configured, frames are stored unanalysed (personCount null), never invented.
 */
export interface FaceAttributes {
  gender?: 'male' | 'female';
  age?: number;
  ageRange?: string;
}

export interface FrameAnalysis {
  personCount: number | null;
  faces: FaceAttributes[];
}

export abstract class FrameAnalyzer {
  abstract analyze(jpeg: Buffer, frameId: string): Promise<FrameAnalysis>;
}

export class NoFrameAnalyzer extends FrameAnalyzer {
  async analyze(): Promise<FrameAnalysis> {
    return { personCount: null, faces: [] };
  }
}
