import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { unstableSetRender } from "antd-mobile";
import { StrictMode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App.tsx";
import { ApiError } from "./api.ts";
import { I18nProvider } from "./i18n.tsx";
// After every component import, so the app's overrides of antd-mobile's CSS win.
import "./styles.css";

// antd-mobile's imperative APIs (Toast, Dialog) need React 19's createRoot.
unstableSetRender((node, container) => {
  const host = container as Element & { __skyriffRoot?: Root };
  host.__skyriffRoot ??= createRoot(container);
  const root = host.__skyriffRoot;
  root.render(node);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    root.unmount();
  };
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not get better by retrying; network hiccups and 5xx get two more tries.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      staleTime: 10_000,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <App />
        </I18nProvider>
      </QueryClientProvider>
    </BrowserRouter>
  </StrictMode>,
);

if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((err: unknown) => console.warn("service worker", err));
  });
}
