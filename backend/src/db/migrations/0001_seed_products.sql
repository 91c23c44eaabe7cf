-- SPEC §1 products. Prices in fen, coins in milli-coins. Editable later in admin.
INSERT INTO "products" ("id", "type", "name", "name_en", "price_fen", "credits_amount", "coins_milli", "duration_days", "description", "sort_order") VALUES
  ('credits_120',   'credits_pack', '120积分',   '120 credits',   600,    120,   0, 0, '¥6 充值 120 积分',      10),
  ('credits_600',   'credits_pack', '600积分',   '600 credits',   3000,   600,   0, 0, '¥30 充值 600 积分',     20),
  ('credits_1360',  'credits_pack', '1360积分',  '1360 credits',  6800,   1360,  0, 0, '¥68 充值 1360 积分',    30),
  ('credits_2560',  'credits_pack', '2560积分',  '2560 credits',  12800,  2560,  0, 0, '¥128 充值 2560 积分',   40),
  ('credits_6560',  'credits_pack', '6560积分',  '6560 credits',  32800,  6560,  0, 0, '¥328 充值 6560 积分',   50),
  ('credits_12960', 'credits_pack', '12960积分', '12960 credits', 64800,  12960, 0, 0, '¥648 充值 12960 积分',  60),
  ('credits_57600', 'credits_pack', '57600积分', '57600 credits', 288000, 57600, 0, 0, '¥2880 充值 57600 积分', 70),
  ('monthly_card',  'subscription_monthly', '月卡', 'Monthly card', 2900, 0, 0, 30, '30天内每日可领取30积分，漏领作废，续费顺延', 100),
  ('promoter_activation', 'promoter_activation', '推广员开通', 'Promoter activation', 3000, 600, 0, 0, '开通推广员，赠送600积分并获得专属邀请码', 200),
  ('coins_100',  'coins_pack', '100金币',  '100 coins',  10000,  0, 100000,  0, '¥100 充值 100 金币，用于发布商单',  300),
  ('coins_500',  'coins_pack', '500金币',  '500 coins',  50000,  0, 500000,  0, '¥500 充值 500 金币，用于发布商单',  310),
  ('coins_1000', 'coins_pack', '1000金币', '1000 coins', 100000, 0, 1000000, 0, '¥1000 充值 1000 金币，用于发布商单', 320),
  ('coins_5000', 'coins_pack', '5000金币', '5000 coins', 500000, 0, 5000000, 0, '¥5000 充值 5000 金币，用于发布商单', 330);
