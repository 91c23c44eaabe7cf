import { describe, expect, it } from "vitest";
import { configuredVendorNames, createVendors } from "../../src/vendors/index.js";
import type { VideoVendor } from "../../src/vendors/types.js";

const sim: VideoVendor = {
  name: "simulated",
  create: async () => ({ vendorTaskId: "sim-1" }),
  get: async () => ({
    status: "QUEUED",
    progress: 0,
    videoUrl: null,
    errorMessage: null,
    rawStatus: "queued",
  }),
};

describe("createVendors / configuredVendorNames", () => {
  it("builds nothing without keys", () => {
    expect(createVendors({}).size).toBe(0);
    expect(configuredVendorNames({ DYUAPI_BASE_URL: "https://x", ARK_API_KEY: "  " }).size).toBe(0);
  });

  it("builds exactly the vendors with a key, plus the simulator when given", () => {
    const settings = {
      DYUAPI_API_KEY: "sk-d",
      DASHSCOPE_API_KEY: "sk-w",
      DASHSCOPE_BASE_URL: "http://127.0.0.1:1",
      simulated: sim,
    };
    const vendors = createVendors(settings);
    expect([...vendors.keys()].sort()).toEqual(["dashscope", "dyuapi", "simulated"]);
    expect([...configuredVendorNames(settings)].sort()).toEqual(["dashscope", "dyuapi", "simulated"]);
    for (const [name, v] of vendors) expect(v.name).toBe(name);
    expect(vendors.get("simulated")).toBe(sim);
  });

  it("builds all three real vendors", () => {
    const vendors = createVendors({ DYUAPI_API_KEY: "a", ARK_API_KEY: "b", DASHSCOPE_API_KEY: "c" });
    expect([...vendors.keys()].sort()).toEqual(["ark", "dashscope", "dyuapi"]);
  });
});
