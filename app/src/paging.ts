import type { Page } from "@skyriff/contracts";
import { type InfiniteData, type QueryKey, useInfiniteQuery } from "@tanstack/react-query";

/** Every list of the API is keyset-paged (`next_cursor`, `has_more`): one infinite query shape for all. */
export function useCursorPages<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  options: {
    enabled?: boolean;
    staleTime?: number;
    refetchOnWindowFocus?: boolean;
    /** Polling, e.g. while an item of the list is still changing (decided from the pages loaded). */
    refetchInterval?: number | false | ((data: InfiniteData<Page<T>> | undefined) => number | false);
  } = {},
) {
  const { refetchInterval, ...rest } = options;
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<T>) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
    ...(refetchInterval === undefined
      ? {}
      : {
          refetchInterval:
            typeof refetchInterval === "function"
              ? (query: { state: { data: InfiniteData<Page<T>> | undefined } }) =>
                  refetchInterval(query.state.data)
              : refetchInterval,
        }),
    ...rest,
  });
}
