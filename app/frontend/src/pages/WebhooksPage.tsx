import { useEffect } from 'react';
import WebhooksPanel from '../components/webhooks/WebhooksPanel';

export default function WebhooksPage() {
  useEffect(() => {
    document.title = 'Webhooks · Video Studio';
  }, []);
  return <WebhooksPanel />;
}
