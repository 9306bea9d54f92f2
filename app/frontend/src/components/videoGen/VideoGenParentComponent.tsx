import Header from './Header';
import VideoGenerationChat from './VideoGenerationChat';
import { useModels, useVideoChat } from './hooks/useVideoChat';
import { isTerminal } from './api/videoGeneration';

/** Wires the jobs state and the model list into the header and the chat. */
export default function VideoGenParentComponent() {
  const chat = useVideoChat();
  const models = useModels();
  const activeCount = chat.videos.filter((v) => !isTerminal(v.status)).length;
  return (
    <div className="flex h-full min-h-0 flex-col">
      <Header models={models} activeCount={activeCount} />
      <VideoGenerationChat chat={chat} models={models} />
    </div>
  );
}
