import { useEffect } from 'react';
import VideoGenParentComponent from '../components/videoGen/VideoGenParentComponent';

export default function VideoGenPage() {
  useEffect(() => {
    document.title = 'Video Generation · Video Studio';
  }, []);
  return (
    <div className="flex h-full min-h-0 w-full flex-col">
      <VideoGenParentComponent />
    </div>
  );
}
