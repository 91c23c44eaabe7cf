import type { Lang } from "./i18n.tsx";

/**
 * The 用户协议 and 隐私政策 shown on /agreements/user and /agreements/privacy (and linked from the login
 * page, 设置 and 关于). The operator's legal name and contact address are the two constants below: fill
 * them in before publishing to an app store (see docs/product.md).
 */
export const OPERATOR = { zh: "SkyRiff（天空即兴）运营方", en: "the operator of SkyRiff" };
export const SUPPORT_EMAIL = "support@skyriff.example";
export const EFFECTIVE_DATE = { zh: "2026 年 12 月 1 日", en: "1 December 2026" };

export type AgreementId = "user" | "privacy";

export interface LegalDoc {
  title: string;
  intro: string[];
  sections: { heading: string; paragraphs: string[] }[];
}

const userZh: LegalDoc = {
  title: "用户协议",
  intro: [
    `欢迎使用 SkyRiff（天空即兴，以下简称“本应用”）。本协议是你与${OPERATOR.zh}（以下简称“我们”）之间关于注册、登录和使用本应用的约定。请你在注册或登录前仔细阅读本协议，特别是以加粗或“重要”提示的免责、限制责任和争议解决条款。`,
    "你勾选“我已阅读并同意”并完成登录，即表示你已充分理解并同意本协议及《隐私政策》的全部内容。如你不同意，请不要登录或使用本应用。",
  ],
  sections: [
    {
      heading: "一、账号注册与使用",
      paragraphs: [
        "1. 你可以使用中国大陆手机号接收短信验证码登录，或使用微信授权登录。首次登录时将自动为你创建账号。根据相关法律法规，通过微信登录的账号在发布作品、提现等操作前需要绑定手机号。",
        "2. 账号仅限你本人使用，不得出借、转让、出售或以其他方式提供给他人使用。请妥善保管你的手机和验证码，因你保管不善导致的损失由你自行承担；如发现账号被盗用，请立即联系我们。",
        "3. 你设置的昵称、头像和简介不得含有违法、侵权、低俗或冒充他人及机构的内容，否则我们有权要求你修改或予以清除。",
      ],
    },
    {
      heading: "二、积分与金币（重要）",
      paragraphs: [
        "1. 积分是本应用内的虚拟物品，可通过充值购买、月卡、任务中心、活动奖励等方式获得，用于视频生成、无水印下载、打赏、解锁提示词和二创等服务。积分不是货币，不能提现、不能转让给他人，也不能兑换为现金。",
        "2. 除法律法规另有规定或本协议另有约定外，已购买的积分不支持退款。视频生成失败时，本次生成预先扣除的积分将自动全额退回你的账户。",
        "3. 金币是创作者因作品获得打赏、提示词解锁、二创等收益而取得的虚拟收益凭证，1 金币对应人民币 1 元。新获得的金币会冻结 7 天，之后转为可提现。提现须符合单笔不低于 100 元、不高于 5000 元、每日最多 3 次等规则，平台按公示比例收取服务费。",
        "4. 积分和金币的余额及每一笔变动都可以在“我的 - 流水明细”中查看。如你对某笔记录有疑问，可以联系客服核实。",
        "5. 注销账号后，账号内剩余的全部积分和金币（包括冻结中的金币）将视为你自愿放弃，予以作废且无法恢复。请在注销前处理好你的余额。",
      ],
    },
    {
      heading: "三、AI 生成服务规则",
      paragraphs: [
        "1. 本应用根据你输入的提示词和上传的参考图，调用视频生成模型为你生成短视频。生成结果由算法自动产生，可能与你的预期不一致，也可能出现不准确的内容；我们不保证生成结果的准确性、完整性或适用于特定用途。",
        "2. 你输入的提示词、上传的图片及发布的内容必须遵守《网络安全法》《生成式人工智能服务管理暂行办法》《互联网信息服务深度合成管理规定》等法律法规，不得生成或传播违法违规、色情低俗、暴力恐怖、侵害他人肖像权、名誉权、隐私权、知识产权等合法权益的内容。",
        "3. 未经本人同意，不得上传他人的人脸或声音等生物识别信息用于生成内容；不得利用生成内容冒充他人、制作和传播虚假新闻信息。",
        "4. 本应用生成的视频带有“AI 生成”标识和水印。你不得删除、篡改或隐匿该标识；下载无水印版本仅限你本人合法使用，发布时仍应标明内容由 AI 生成。",
        "5. 我们会对提示词和生成内容进行安全审核，对违规内容有权拒绝生成、删除或限制传播，并视情节对账号采取警告、限制功能、封禁等措施。",
      ],
    },
    {
      heading: "四、用户内容与知识产权",
      paragraphs: [
        "1. 你对自己输入的提示词、上传的图片以及依法享有权利的生成内容保留相应权利。为向你提供服务，你授权我们在必要范围内存储、处理这些内容并将其传输给视频生成模型服务商。",
        "2. 你将作品公开发布后，即授权我们在本应用内展示、推荐和分发该作品，并允许其他用户在你设置的规则下观看、打赏、付费解锁提示词或二创。你可以随时删除自己的作品。",
        "3. 本应用的软件、界面设计、标识及我们提供的其他内容的知识产权归我们或相关权利人所有，未经许可不得复制、修改或用于商业目的。",
      ],
    },
    {
      heading: "五、未成年人保护",
      paragraphs: [
        "1. 若你是未满 18 周岁的未成年人，请在监护人的陪同和同意下阅读本协议并使用本应用；未满 14 周岁的儿童须由监护人同意《隐私政策》后方可使用。",
        "2. 未成年人充值消费应当取得监护人同意。如监护人发现未成年人在未经同意的情况下充值，可以联系客服申请核实处理。",
      ],
    },
    {
      heading: "六、服务的变更、中断与终止",
      paragraphs: [
        "1. 我们可能因业务发展、系统维护或法律要求调整、中断部分服务，并会尽可能提前在应用内通知。",
        "2. 你可以随时在“我的 - 设置 - 注销账号”中申请注销账号。注销后账号将无法登录和恢复，账号资料将被清除，手机号和微信将解除绑定并可用于注册新账号，账号内的积分和金币将作废。",
        "3. 如你严重违反本协议或法律法规，我们有权暂停或终止向你提供服务。",
      ],
    },
    {
      heading: "七、责任限制",
      paragraphs: [
        "在法律允许的范围内，因不可抗力、网络故障、第三方服务（如短信、模型服务商）异常等非我们原因导致的服务中断或损失，我们不承担责任，但会尽力协助你减少损失。",
      ],
    },
    {
      heading: "八、法律适用与争议解决",
      paragraphs: [
        "本协议适用中华人民共和国法律（不含港澳台地区法律）。因本协议产生的争议，双方应友好协商解决；协商不成的，任何一方可向我们所在地有管辖权的人民法院提起诉讼。",
      ],
    },
    {
      heading: "九、联系我们",
      paragraphs: [
        `如你对本协议有任何疑问、意见或投诉，请通过客服邮箱 ${SUPPORT_EMAIL} 与我们联系，我们将在 15 个工作日内答复。`,
      ],
    },
  ],
};

const userEn: LegalDoc = {
  title: "User Agreement",
  intro: [
    `Welcome to SkyRiff (the "App"). This agreement between you and ${OPERATOR.en} ("we", "us") governs how you sign up for, log in to and use the App. Please read it carefully before logging in, especially the clauses marked important about disclaimers, limits of liability and disputes.`,
    "By ticking “I have read and agree” and logging in, you confirm that you understand and accept this agreement and the Privacy Policy. If you do not agree, please do not log in or use the App.",
  ],
  sections: [
    {
      heading: "1. Your account",
      paragraphs: [
        "1. You can log in with a mainland China mobile number and an SMS code, or with WeChat. An account is created the first time you log in. As required by law, an account created through WeChat must bind a phone number before publishing works or withdrawing money.",
        "2. Your account is for you alone: do not lend, transfer or sell it. Keep your phone and codes safe; contact us at once if you think someone else is using your account.",
        "3. Your nickname, avatar and bio must not be unlawful, infringing or vulgar, or impersonate anyone; otherwise we may ask you to change them or remove them.",
      ],
    },
    {
      heading: "2. Credits and coins (important)",
      paragraphs: [
        "1. Credits are virtual goods inside the App, obtained by top-up, the monthly card, daily tasks or promotions, and spent on video generation, watermark-free downloads, tips, prompt unlocks and remixes. Credits are not money: they cannot be withdrawn, transferred to others or exchanged for cash.",
        "2. Unless the law or this agreement says otherwise, purchased credits are not refundable. When a generation fails, the credits held for it are returned to your account in full, automatically.",
        "3. Coins are what creators earn from tips, prompt unlocks and remixes of their works; 1 coin corresponds to CNY 1. New coins are frozen for 7 days and then become withdrawable. Withdrawals follow the published rules (at least CNY 100 and at most CNY 5,000 each, at most 3 a day) and the published platform fee applies.",
        "4. Every balance and every movement is listed under Me › Transactions. Contact us if you have a question about an entry.",
        "5. When you delete your account, all remaining credits and coins (frozen coins included) are forfeited and cannot be restored. Please use or withdraw them before deleting your account.",
      ],
    },
    {
      heading: "3. AI generation rules",
      paragraphs: [
        "1. The App turns your prompt and optional reference image into a short video through video-generation models. Results are produced automatically and may differ from what you expect or be inaccurate; we do not guarantee their accuracy, completeness or fitness for a purpose.",
        "2. Prompts, uploaded images and published content must comply with the laws of the People's Republic of China, including the rules on generative AI and deep synthesis services. Do not create or spread unlawful, pornographic, violent or terrorist content, or content that infringes anyone's portrait, reputation, privacy or intellectual property.",
        "3. Do not upload another person's face or voice without their consent, and do not use generated content to impersonate others or to make or spread false news.",
        "4. Generated videos carry an “AI generated” label and a watermark. Do not remove, alter or hide the label; a watermark-free download is for your own lawful use, and you should still say that the content is AI-generated when publishing it.",
        "5. We review prompts and generated content for safety. We may refuse to generate, remove or limit content that breaks the rules and, depending on the case, warn, restrict or ban the account.",
      ],
    },
    {
      heading: "4. Your content and intellectual property",
      paragraphs: [
        "1. You keep your rights in your prompts, uploaded images and the generated content you are entitled to. To provide the service, you allow us to store and process this content as needed and to send it to the video-generation model providers.",
        "2. When you publish a work, you allow us to show, recommend and distribute it in the App, and other users may watch, tip, unlock its prompt or remix it under the rules you set. You can delete your works at any time.",
        "3. The App's software, design, logos and other content we provide belong to us or their owners and may not be copied, modified or used commercially without permission.",
      ],
    },
    {
      heading: "5. Minors",
      paragraphs: [
        "1. If you are under 18, read this agreement and use the App with your guardian's company and consent; children under 14 may use the App only after a guardian has accepted the Privacy Policy.",
        "2. Minors need their guardian's consent to top up. A guardian who finds a top-up made without consent can contact customer service to have it reviewed.",
      ],
    },
    {
      heading: "6. Changes, interruptions and termination",
      paragraphs: [
        "1. We may change or interrupt parts of the service for business, maintenance or legal reasons, and will announce this in the App in advance where we can.",
        "2. You can delete your account at any time under Me › Settings › Delete account. A deleted account cannot log in or be restored; its profile is cleared, the phone number and WeChat are unbound and can sign up again, and its credits and coins are forfeited.",
        "3. If you seriously breach this agreement or the law, we may suspend or end the service for you.",
      ],
    },
    {
      heading: "7. Limits of liability",
      paragraphs: [
        "As far as the law allows, we are not liable for interruptions or losses caused by force majeure, network failures or third-party services (such as SMS or model providers) beyond our control, but we will help you limit any loss.",
      ],
    },
    {
      heading: "8. Governing law and disputes",
      paragraphs: [
        "This agreement is governed by the laws of the People's Republic of China (excluding Hong Kong, Macao and Taiwan). Disputes are first settled by negotiation; failing that, either party may sue in the competent people's court where we are located.",
      ],
    },
    {
      heading: "9. Contact us",
      paragraphs: [
        `For questions, comments or complaints about this agreement, write to ${SUPPORT_EMAIL}. We reply within 15 working days.`,
      ],
    },
  ],
};

const privacyZh: LegalDoc = {
  title: "隐私政策",
  intro: [
    `${OPERATOR.zh}（以下简称“我们”）深知个人信息对你的重要性。本政策依据《个人信息保护法》等法律法规，说明 SkyRiff 收集哪些个人信息、为什么收集、如何使用和保存，以及你享有的权利。`,
    "我们只在实现功能所必需的范围内收集信息，不会出售你的个人信息。",
  ],
  sections: [
    {
      heading: "一、我们收集的信息及用途",
      paragraphs: [
        "1. 手机号：用于短信验证码登录、账号安全验证和找回账号，也是发布作品、提现等操作所需的实名依据。我们只保存验证码的加密摘要，验证码 5 分钟内有效且只能使用一次。",
        "2. 微信信息：当你选择微信登录时，经你授权，我们会获取你的微信昵称、头像和微信标识（openid/unionid），用于创建和识别你的账号。",
        "3. 设备与日志信息：包括设备型号、操作系统和浏览器版本、IP 地址、语言设置、访问时间和操作记录。这些信息用于保障账号和交易安全（如防止验证码被滥用、识别异常登录）、排查故障和统计服务质量。",
        "4. 你生成和上传的内容：包括提示词、上传的参考图片、生成的视频、项目和作品信息。用于为你生成视频、在“资产”中为你保存，以及在你选择公开发布时向其他用户展示。上传图片时我们会自动去除其中的拍摄位置等元数据。",
        "5. 交易信息：积分和金币的每一笔变动、充值和提现记录，用于结算、对账、客服核实和履行法定义务。",
        "6. 资料信息：你主动填写的昵称、头像和简介，用于在应用内展示你的个人资料。",
      ],
    },
    {
      heading: "二、委托处理与共享",
      paragraphs: [
        "为实现相应功能，我们会在必要范围内将信息提供给以下合作方，并要求其严格保密、仅用于约定用途：",
        "1. 短信服务商（如阿里云、腾讯云）：你的手机号和验证码，用于发送登录短信；",
        "2. 视频生成模型服务商：你的提示词和参考图片，用于生成视频；",
        "3. 云存储服务商：你上传的图片和生成的视频，以私有方式存储，仅通过有时效的签名链接访问；",
        "4. 微信：当你使用微信登录时，用于完成授权；",
        "5. 支付机构（开放充值后）：订单金额和订单号，用于完成支付。",
        "除法律法规要求或经你单独同意外，我们不会向其他第三方提供你的个人信息。",
      ],
    },
    {
      heading: "三、存储地点与保存期限",
      paragraphs: [
        "1. 你的个人信息存储在中华人民共和国境内的服务器上，不会向境外提供。",
        "2. 账号资料和生成内容在你使用服务期间保存；你删除某个视频或作品后，我们将不再展示并在后续清理中删除。",
        "3. 网络日志按照《网络安全法》的要求保存不少于六个月；交易记录按照《电子商务法》的要求自交易完成之日起保存不少于三年。",
        "4. 你注销账号后，我们会立即清除你的昵称、头像和简介并解除手机号和微信的绑定，你的内容将无法再被访问；除法律法规要求保留的交易记录（以匿名化方式保存）外，我们将在 15 个工作日内删除或匿名化处理你的个人信息。",
      ],
    },
    {
      heading: "四、你的权利",
      paragraphs: [
        "1. 查阅和更正：你可以在“我的”和“编辑资料”中查看和修改昵称、头像、简介，在“流水明细”中查看交易记录。",
        "2. 删除：你可以删除自己的视频、项目和作品。",
        "3. 撤回同意与注销账号：你可以在“我的 - 设置 - 注销账号”中自行注销账号，注销即撤回对本政策的同意。",
        "4. 如你无法通过上述方式行使权利，或需要复制你的个人信息，请联系我们，我们会在验证身份后 15 个工作日内处理。",
      ],
    },
    {
      heading: "五、信息安全",
      paragraphs: [
        "我们通过加密传输、验证码加密存储、访问权限控制、私有存储和有时效的签名链接等措施保护你的信息。如不幸发生个人信息安全事件，我们将按照法律法规的要求及时告知你并向主管部门报告。",
      ],
    },
    {
      heading: "六、本地存储",
      paragraphs: [
        "本应用会在你的浏览器本地存储中保存登录凭证和语言偏好，以便你下次打开时保持登录。退出登录或注销账号时，登录凭证会被清除。我们不使用第三方广告追踪工具。",
      ],
    },
    {
      heading: "七、未成年人的个人信息",
      paragraphs: [
        "我们非常重视未成年人的个人信息保护。未满 14 周岁的儿童须在监护人同意后使用本应用；监护人如对儿童个人信息的处理有疑问，或希望更正、删除，请联系我们。",
      ],
    },
    {
      heading: "八、政策更新",
      paragraphs: ["本政策如有重大变更，我们会在应用内显著位置通知你，并在必要时重新征得你的同意。"],
    },
    {
      heading: "九、联系我们",
      paragraphs: [
        `如你对本政策或个人信息处理有任何疑问、意见或投诉，请通过 ${SUPPORT_EMAIL} 联系我们的个人信息保护负责人，我们将在 15 个工作日内答复。`,
      ],
    },
  ],
};

const privacyEn: LegalDoc = {
  title: "Privacy Policy",
  intro: [
    `We, ${OPERATOR.en}, take your personal information seriously. Following the Personal Information Protection Law of the People's Republic of China, this policy explains what SkyRiff collects, why, how it is used and kept, and what rights you have.`,
    "We collect only what a feature needs, and we never sell your personal information.",
  ],
  sections: [
    {
      heading: "1. What we collect and why",
      paragraphs: [
        "1. Phone number: to log you in with an SMS code, to secure and recover your account, and as the real-name basis required for publishing works and withdrawals. We keep only a hash of each code; a code is valid for 5 minutes and works once.",
        "2. WeChat information: when you choose WeChat login and authorize it, we receive your WeChat nickname, avatar and WeChat identifiers (openid/unionid) to create and recognise your account.",
        "3. Device and log information: device model, operating system and browser version, IP address, language, access times and actions. We use them to keep accounts and payments safe (for example against SMS abuse and unusual logins), to fix problems and to measure service quality.",
        "4. Content you create and upload: prompts, reference images, generated videos, projects and works. We use them to generate your videos, keep them for you under Assets, and show them to others when you choose to publish. Location and other metadata are removed from uploaded images automatically.",
        "5. Transaction information: every movement of credits and coins, top-ups and withdrawals, for settlement, reconciliation, customer service and our legal obligations.",
        "6. Profile information: the nickname, avatar and bio you enter, shown on your profile in the App.",
      ],
    },
    {
      heading: "2. Processors and sharing",
      paragraphs: [
        "To provide the features, we give the following partners only what they need, under confidentiality and for the stated purpose only:",
        "1. SMS providers (such as Alibaba Cloud or Tencent Cloud): your phone number and code, to send login messages;",
        "2. Video-generation model providers: your prompt and reference image, to generate the video;",
        "3. Cloud storage providers: your uploaded images and generated videos, stored privately and reachable only through expiring signed links;",
        "4. WeChat: to complete the authorization when you log in with WeChat;",
        "5. Payment institutions (once top-up opens): the order amount and number, to complete the payment.",
        "We do not give your personal information to any other third party unless the law requires it or you agree separately.",
      ],
    },
    {
      heading: "3. Where and how long we keep it",
      paragraphs: [
        "1. Your personal information is stored on servers in the People's Republic of China and is not transferred abroad.",
        "2. Your profile and content are kept while you use the service; a video or work you delete is no longer shown and is removed in a later clean-up.",
        "3. Network logs are kept for at least six months, as the Cybersecurity Law requires; transaction records for at least three years after the transaction, as the E-Commerce Law requires.",
        "4. When you delete your account, your nickname, avatar and bio are cleared at once, your phone number and WeChat are unbound and your content can no longer be reached; within 15 working days we delete or anonymise your personal information, except transaction records the law requires us to keep (kept anonymised).",
      ],
    },
    {
      heading: "4. Your rights",
      paragraphs: [
        "1. Access and correction: view and edit your nickname, avatar and bio under Me and Edit profile; view your transactions under Transactions.",
        "2. Deletion: delete your own videos, projects and works.",
        "3. Withdrawing consent and deleting your account: delete your account yourself under Me › Settings › Delete account; doing so withdraws your consent to this policy.",
        "4. If you cannot exercise a right this way, or want a copy of your personal information, contact us; we act within 15 working days after verifying your identity.",
      ],
    },
    {
      heading: "5. Security",
      paragraphs: [
        "We protect your information with encrypted transport, hashed codes, access control, private storage and expiring signed links. Should a personal-information security incident happen, we will tell you and report it to the authorities as the law requires.",
      ],
    },
    {
      heading: "6. Local storage",
      paragraphs: [
        "The App keeps your login tokens and language preference in your browser's local storage so that you stay logged in. Logging out or deleting the account removes the tokens. We use no third-party advertising trackers.",
      ],
    },
    {
      heading: "7. Minors' personal information",
      paragraphs: [
        "We take minors' personal information seriously. Children under 14 may use the App only with a guardian's consent; guardians with questions about a child's information, or who want it corrected or deleted, can contact us.",
      ],
    },
    {
      heading: "8. Changes to this policy",
      paragraphs: [
        "If this policy changes materially, we will tell you prominently in the App and ask for your consent again where needed.",
      ],
    },
    {
      heading: "9. Contact us",
      paragraphs: [
        `For questions, comments or complaints about this policy or how we handle personal information, write to our personal-information protection officer at ${SUPPORT_EMAIL}. We reply within 15 working days.`,
      ],
    },
  ],
};

const docs: Record<AgreementId, Record<Lang, LegalDoc>> = {
  user: { "zh-CN": userZh, en: userEn },
  privacy: { "zh-CN": privacyZh, en: privacyEn },
};

export function legalDoc(id: AgreementId, lang: Lang): LegalDoc {
  return docs[id][lang];
}
