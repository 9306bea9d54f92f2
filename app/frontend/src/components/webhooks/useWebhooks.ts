// The webhooks panel's server state in TanStack Query: the endpoints, and each one's delivery log
// (polled while one of its deliveries is still pending).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  type Delivery,
  type WebhookCreate,
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  resendDelivery,
  rotateWebhook,
  testWebhook,
} from './api';

export const webhooksKey = ['webhooks'] as const;
export const deliveriesKey = (id: string) => ['webhooks', id, 'deliveries'] as const;

/** How often an open delivery log is asked again while a delivery in it is pending. */
export const PENDING_POLL_MS = 2_000;

export function useWebhookList() {
  return useQuery({ queryKey: webhooksKey, queryFn: ({ signal }) => listWebhooks(signal) });
}

export function useDeliveries(id: string, enabled: boolean) {
  return useQuery({
    queryKey: deliveriesKey(id),
    queryFn: ({ signal }) => listDeliveries(id, signal),
    enabled,
    refetchInterval: (query) =>
      query.state.data?.data.some((d: Delivery) => d.status === 'pending') ? PENDING_POLL_MS : false,
  });
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookCreate) => createWebhook(body),
    onSuccess: () => client.invalidateQueries({ queryKey: webhooksKey }),
  });
}

/** One endpoint's actions (each its own pending state): test, rotate, delete, and resend from its log. */
export function useWebhookActions(id: string) {
  const client = useQueryClient();
  const refreshList = () => client.invalidateQueries({ queryKey: webhooksKey });
  const refreshLog = () => client.invalidateQueries({ queryKey: deliveriesKey(id) });
  return {
    test: useMutation({ mutationFn: () => testWebhook(id), onSuccess: refreshLog }),
    rotate: useMutation({ mutationFn: () => rotateWebhook(id), onSuccess: refreshList }),
    remove: useMutation({
      mutationFn: () => deleteWebhook(id),
      onSuccess: () => {
        client.removeQueries({ queryKey: deliveriesKey(id) });
        return refreshList();
      },
    }),
    resend: useMutation({ mutationFn: (deliveryId: string) => resendDelivery(id, deliveryId), onSuccess: refreshLog }),
  };
}
