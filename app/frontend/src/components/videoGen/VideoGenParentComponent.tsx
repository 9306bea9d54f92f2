import { useState } from 'react';
import ConnectionBanner from './ConnectionBanner';
import Header from './Header';
import { QueuePausedNotice } from './QueuePause';
import UpstreamsStatus from './UpstreamsStatus';
import VideoGenerationChat from './VideoGenerationChat';
import { useAttention } from './hooks/useAttention';
import { useConnection } from './hooks/useConnection';
import { useQueuePause } from './hooks/useQueue';
import { useModels, useVideoChat } from './hooks/useVideoChat';
import { loadView, saveView, type ViewMode } from './settingsStore';

/** Wires the jobs state, the model list and the studio's reachability into the page. */
export default function VideoGenParentComponent() {
  const chat = useVideoChat();
  const models = useModels();
  const connection = useConnection();
  const queue = useQueuePause(models.models);
  const attention = useAttention(chat.videos);
  const [view, setViewState] = useState<ViewMode>(loadView);
  const setView = (next: ViewMode) => {
    setViewState(next);
    saveView(next);
  };
  return (
    <div className="flex h-full min-h-0 flex-col">
      <Header
        models={models}
        videos={chat.videos}
        view={view}
        onViewChange={setView}
        attention={attention}
        offline={connection.state === 'offline'}
        queue={queue}
      />
      <ConnectionBanner connection={connection} />
      <QueuePausedNotice queue={queue} models={models.models} />
      <UpstreamsStatus models={models.models} />
      <VideoGenerationChat chat={chat} models={models} view={view} stale={connection.state === 'offline'} />
    </div>
  );
}
