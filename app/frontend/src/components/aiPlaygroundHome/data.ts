// Cards of the AI Playground home page, in TT Studio's shape (title, filter colour,
// Tenstorrent device, model type). `path` is where clicking the card leads.

export type ModelType = 'VideoGen';
export type TTDevice = 'n150' | 'n300' | 't3k' | 'galaxy';

export interface ModelCardData {
  id: string;
  title: string;
  description: string;
  path: string;
  /** Colour laid over the card's artwork. */
  filter: string;
  TTDevice: TTDevice;
  modelType: ModelType;
  poweredByText: string;
}

export const modelData: ModelCardData[] = [
  {
    id: 'video-generation',
    title: 'Video Generation',
    description:
      'Turn a text prompt into a short video clip. Queue several prompts, watch them play, download the MP4.',
    path: '/video-generation',
    filter: '#5A4A78',
    TTDevice: 'n300',
    modelType: 'VideoGen',
    poweredByText: 'Wan 2.2 on Tenstorrent',
  },
];
