import { useEffect } from 'react';
import StoryboardView from '../components/studio/storyboard/StoryboardView';

export default function StoryboardPage() {
  useEffect(() => {
    document.title = 'Storyboard · Video Studio';
  }, []);
  return <StoryboardView />;
}
