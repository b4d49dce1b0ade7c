import { VisionEnv } from '@airport-mesh/vision/nest';

/** image-analysis reads only what every vision service reads. */
export class ImageAnalysisEnv extends VisionEnv {}
