// Kept apart from route-config.tsx so components can import paths without a cycle.
export const VIDEO_GENERATION_PATH = '/video-generation';
export const WEBHOOKS_PATH = '/settings/webhooks';
export const STORYBOARD_PATH = '/storyboard';
export const SWEEP_PATH = '/sweep';
