/**
 * The seam where image analysis and face recognition plug in: given a frame, who is in it.
 * With no analyser configured, frames are stored unanalysed (personCount null), never invented.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FaceAttributes {
  box?: Box;
  score?: number;
  gender?: 'male' | 'female';
  genderScore?: number;
  age?: number;
  ageRange?: string;
}

export interface PersonMatch {
  personId: string;
  name: string;
  similarity: number;
  box: Box;
}

export interface FrameAnalysis {
  personCount: number | null;
  faces: FaceAttributes[];
  matches: PersonMatch[];
}

export abstract class FrameAnalyzer {
  /** `image` is the frame's JPEG as base64, as the camera sent it. */
  abstract analyze(image: string, frameId: string): Promise<FrameAnalysis>;
}

export class NoFrameAnalyzer extends FrameAnalyzer {
  async analyze(): Promise<FrameAnalysis> {
    return { personCount: null, faces: [], matches: [] };
  }
}
