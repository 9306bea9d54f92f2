import { useEffect } from 'react';
import AIPlaygroundHome from '../components/aiPlaygroundHome/AIPlaygroundHome';

export default function HomePage() {
  useEffect(() => {
    document.title = 'AI Playground · Video Studio';
  }, []);
  return <AIPlaygroundHome />;
}
