import { VisionPoolEnv } from '@airport-mesh/vision/nest';

/** image-analysis reads what every vision service reads, plus the size of its worker pool and queue. */
export class ImageAnalysisEnv extends VisionPoolEnv {}
