import { useEffect } from 'react';
import SweepView from '../components/studio/sweep/SweepView';

export default function SweepPage() {
  useEffect(() => {
    document.title = 'Sweep grid · Video Studio';
  }, []);
  return <SweepView />;
}
