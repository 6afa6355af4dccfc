# OAT (Kim et al., ECCV 2022) at the paper size (oat-spec §3): 92,432,407 parameters.
window = 64                      # W, steps per window
anchors = (4, 8, 16, 32, 48, 64)  # anchor lengths in steps, all ending at the current step
num_classes = 20                 # C (background is the extra, last output)
feat_dim = 4096                  # two-stream input: rgb 2048 || flow 2048

model = dict(
    type="OATDetector",
    window=window,
    anchors=anchors,
    num_classes=num_classes,
    feat_dim=feat_dim,
    embed_dim=1024,
    encoder=dict(type="WindowTransformerEncoder", num_layers=3, num_heads=8, ffn_dim=2048,
                 dropout=0.3),
    decoder=dict(type="AnchorQueryDecoder", num_layers=5, num_heads=4, ffn_dim=2048, dropout=0.3),
    cls_loss_weight=1.0,  # alpha
    reg_loss_weight=1.0,  # beta
    # OnPoint evaluates OAT with MATR's online NMS ("OAT-ONMS", oat-spec §8.3).
    video_predictor=dict(type="OnlineVideoPredictor", score_threshold=0.1,
                         postprocessor=dict(type="OnlineNMS", nms_threshold=0.3)),
)
