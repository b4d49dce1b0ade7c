/** Where a camera stands: at the entry or at the exit of its airport section (seed 000's cameras file `type`). */
export const CAMERA_EVENTS = ['entry', 'exit'] as const;
export type CameraEvent = (typeof CAMERA_EVENTS)[number];

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];
