/** The root CSS-variable class of antd/dist/antd.css (vite.config.ts). */
declare const __ANTD_CSS_VAR_KEY__: string;
